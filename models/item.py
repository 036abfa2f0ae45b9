"""The items table, and items_tags linking items to the tags of their store."""

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Numeric, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model

if TYPE_CHECKING:
    from models.store import Store
    from models.tag import Tag

items_tags = Table(
    "items_tags",
    Model.metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    # A tag still linked to items is not deleted (409): RESTRICT backs that check.
    Column("tag_id", ForeignKey("tags.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Item(Model):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    store: Mapped["Store"] = relationship(back_populates="items")
    tags: Mapped[list["Tag"]] = relationship(
        secondary=items_tags, back_populates="items", order_by="Tag.id"
    )
