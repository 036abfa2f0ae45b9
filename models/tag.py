"""The tags table: tag names are unique within their store."""

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.item import items_tags

if TYPE_CHECKING:
    from models.item import Item
    from models.store import Store


class Tag(Model):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("store_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    store: Mapped["Store"] = relationship(back_populates="tags")
    items: Mapped[list["Item"]] = relationship(
        secondary=items_tags, back_populates="tags", order_by="Item.id"
    )
