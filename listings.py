"""The item listing, read as plain rows and written as JSON directly.

The busiest list endpoint skips building ORM objects and running marshmallow over them
(together most of its cost), and costs three queries, built once, whatever the page
size. tests/test_items.py checks that it answers exactly what ItemSchema dumps.
"""

from collections import defaultdict
from typing import Any

from flask_smorest.pagination import PaginationParameters
from sqlalchemy import bindparam, func, select

from blueprint import page_number
from extensions import db
from models import Item, Store, Tag, items_tags

_COUNT = select(func.count(Item.id))
_PAGE = (
    select(Item.id, Item.name, Item.price, Store.id.label("sid"), Store.name.label("sname"))
    .join(Store, Store.id == Item.store_id)
    .order_by(Item.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_IN_STORE = Item.store_id == bindparam("store_id")
# (count, page), keyed by whether the listing is of one store.
_STATEMENTS = {
    False: (_COUNT, _PAGE),
    True: (_COUNT.where(_IN_STORE), _PAGE.where(_IN_STORE)),
}
_TAGS = (
    select(items_tags.c.item_id, Tag.id, Tag.name)
    .join(Tag, Tag.id == items_tags.c.tag_id)
    .where(items_tags.c.item_id.in_(bindparam("ids", expanding=True)))
    .order_by(Tag.id)
)


def item_page(filters: dict[str, Any], pagination: PaginationParameters) -> list[dict]:
    """A page of items, each with its store and tags, as ItemSchema dumps them."""
    count, page = _STATEMENTS["store_id" in filters]
    params = {
        "store_id": filters.get("store_id"),
        "limit": pagination.page_size,
        "offset": (page_number(pagination) - 1) * pagination.page_size,
    }
    tags: dict[int, list[dict]] = defaultdict(list)
    # Core on a pooled connection: no ORM session or unit of work for a read.
    with db.engine.connect() as conn:
        pagination.item_count = conn.scalar(count, params)
        rows = conn.execute(page, params).all()
        if rows:
            for item_id, tag_id, name in conn.execute(_TAGS, {"ids": [row.id for row in rows]}):
                tags[item_id].append({"id": tag_id, "name": name})
    return [
        {
            "id": row.id,
            "name": row.name,
            "price": f"{row.price:.2f}",  # the column's two places, as a string
            "store": {"id": row.sid, "name": row.sname},
            "tags": tags[row.id],
        }
        for row in rows
    ]
