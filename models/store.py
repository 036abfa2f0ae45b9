"""The stores table."""

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model

if TYPE_CHECKING:
    from models.item import Item
    from models.tag import Tag


class Store(Model):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # Deleting a store deletes its items and tags (the database cascades too).
    items: Mapped[list["Item"]] = relationship(
        back_populates="store",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Item.id",
    )
    tags: Mapped[list["Tag"]] = relationship(
        back_populates="store",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Tag.id",
    )
