"""The item listing, read as plain rows and written as JSON directly.

The busiest list endpoint skips building ORM objects and running marshmallow over them
(together most of its cost), and reads a whole page (count, items, stores, tags) in one
Core statement, whatever the page size. The API tests check that it answers exactly what
ItemSchema dumps.
"""

from typing import Any

from sqlalchemy import Select, bindparam, func, select

from extensions import db
from models.item import Item, items_tags
from models.store import Store
from models.tag import Tag


def _statements(*where: Any) -> tuple[Select, Select]:
    count = select(func.count(Item.id)).where(*where)
    page = (
        select(Item.id, Item.name, Item.price, Item.store_id)
        .where(*where)
        .order_by(Item.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page")
    )
    # A row per item and tag (one for an untagged item); the count is an uncorrelated
    # subquery, which SQLite and PostgreSQL both evaluate once.
    rows = (
        select(
            page.c.id,
            page.c.name,
            page.c.price,
            Store.id.label("store_id"),
            Store.name.label("store_name"),
            Tag.id.label("tag_id"),
            Tag.name.label("tag_name"),
            count.scalar_subquery().label("total"),
        )
        .join_from(page, Store, Store.id == page.c.store_id)
        .outerjoin(items_tags, items_tags.c.item_id == page.c.id)
        .outerjoin(Tag, Tag.id == items_tags.c.tag_id)
        .order_by(page.c.id, Tag.id)
    )
    return count, rows


# Keyed by whether the listing is of one store.
_STATEMENTS = {False: _statements(), True: _statements(Item.store_id == bindparam("store_id"))}


def item_page(filters: dict[str, Any], limit: int, offset: int) -> tuple[list[dict], int]:
    """A page of items, each with its store and tags, as ItemSchema dumps them, and the
    number of items in every page."""
    count, page = _STATEMENTS["store_id" in filters]
    params = {"store_id": filters.get("store_id"), "limit": limit, "offset": offset}
    with db.engine.connect() as conn:
        rows = conn.execute(page, params).all()
        # Past the last page no row carries the count.
        total = rows[0][-1] if rows else conn.execute(count, params).scalar_one()
    items: dict[int, dict] = {}
    for item_id, name, price, store_id, store_name, tag_id, tag_name, _total in rows:
        item = items.get(item_id)
        if item is None:
            item = items[item_id] = {
                "id": item_id,
                "name": name,
                "price": f"{price:.2f}",  # the column's two places, as a string
                "store": {"id": store_id, "name": store_name},
                "tags": [],
            }
        if tag_id is not None:
            item["tags"].append({"id": tag_id, "name": tag_name})
    return list(items.values()), total
