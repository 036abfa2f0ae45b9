"""The item listing, read as plain rows: the busiest list endpoint skips building ORM
objects (most of its cost) and still costs three queries whatever the page size."""

from collections import defaultdict
from typing import Any

from flask_smorest.pagination import PaginationParameters
from sqlalchemy import func, select

from blueprint import page_number
from extensions import db
from models import Item, Store, Tag, items_tags


def item_page(filters: dict[str, Any], pagination: PaginationParameters) -> list[dict]:
    """A page of items, each with its store and tags, in the shape ItemSchema dumps."""
    where = [Item.store_id == filters["store_id"]] if "store_id" in filters else []
    conn = db.session.connection()  # Core on the request's connection: no ORM execution layer
    pagination.item_count = conn.scalar(select(func.count(Item.id)).where(*where))
    rows = conn.execute(
        select(Item.id, Item.name, Item.price, Store.id.label("sid"), Store.name.label("sname"))
        .join(Store, Store.id == Item.store_id)
        .where(*where)
        .order_by(Item.id)
        .limit(pagination.page_size)
        .offset((page_number(pagination) - 1) * pagination.page_size)
    ).all()
    tags: dict[int, list[dict]] = defaultdict(list)
    if rows:
        for item_id, tag_id, name in conn.execute(
            select(items_tags.c.item_id, Tag.id, Tag.name)
            .join(Tag, Tag.id == items_tags.c.tag_id)
            .where(items_tags.c.item_id.in_([row.id for row in rows]))
            .order_by(Tag.id)
        ):
            tags[item_id].append({"id": tag_id, "name": name})
    return [
        {
            "id": row.id,
            "name": row.name,
            "price": row.price,
            "store": {"id": row.sid, "name": row.sname},
            "tags": tags[row.id],
        }
        for row in rows
    ]
