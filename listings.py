"""The item listing, read as plain rows and written as JSON directly.

The busiest list endpoint skips building ORM objects and running marshmallow over them
(together most of its cost), and reads a whole page (count, items, stores, tags) in one
statement, built once and run on the driver's cursor (direct_query.py), whatever the
page size. tests/test_items.py checks that it answers exactly what ItemSchema dumps.
"""

from typing import Any

from flask_smorest.pagination import PaginationParameters
from sqlalchemy import bindparam, func, select

from blueprint import page_number
from direct_query import DirectQuery
from extensions import db
from models import Item, Store, Tag, items_tags


def _statements(*where: Any) -> tuple[DirectQuery, DirectQuery]:
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
    return DirectQuery(count), DirectQuery(rows)


# Keyed by whether the listing is of one store.
_STATEMENTS = {False: _statements(), True: _statements(Item.store_id == bindparam("store_id"))}


def item_page(filters: dict[str, Any], pagination: PaginationParameters) -> list[dict]:
    """A page of items, each with its store and tags, as ItemSchema dumps them."""
    count, page = _STATEMENTS["store_id" in filters]
    params = {
        "store_id": filters.get("store_id"),
        "limit": pagination.page_size,
        "offset": (page_number(pagination) - 1) * pagination.page_size,
    }
    rows = page.all(db.engine, params)
    # Past the last page no row carries the count.
    pagination.item_count = rows[0][-1] if rows else count.all(db.engine, params)[0][0]
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
    return list(items.values())
