"""Pages of query results, and the page number every listing clamps."""

from typing import Any

from flask_smorest.pagination import PaginationParameters
from sqlalchemy import Select

from extensions import db
from models.types import MAX_ID


def page_number(pagination: PaginationParameters) -> int:
    # Past MAX_ID rows every page is empty; clamping keeps a huge ?page= from
    # overflowing the database's OFFSET.
    return min(pagination.page, MAX_ID // pagination.page_size + 1)


def paginate(stmt: Select, pagination: PaginationParameters) -> list[Any]:
    """One page of `stmt`, telling flask-smorest the total for the X-Pagination header."""
    page = db.paginate(
        stmt,
        page=page_number(pagination),
        per_page=pagination.page_size,
        error_out=False,
        count=True,
    )
    pagination.item_count = page.total
    return list(page.items)
