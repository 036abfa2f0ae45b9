"""flask-smorest's Blueprint: strict JSON parsing, and pages of query results."""

import json
from typing import Any, NoReturn

import flask
import flask_smorest
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import Select
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter, Map

from extensions import db
from schemas.fields import MAX_ID


class StrictJSONParser(FlaskParser):
    """Turns the JSON the stdlib parser chokes on into webargs's 400, never a 500.

    Deep nesting raises RecursionError, a number past 4,300 digits raises ValueError,
    and a lone surrogate escape loads fine but cannot be stored or encoded later.
    """

    def _raw_load_json(self, req: flask.Request) -> Any:
        try:
            data = super()._raw_load_json(req)
            if data is core.missing:
                return data
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
            raise json.JSONDecodeError(type(exc).__name__, "<body>", 0) from exc
        return data

    def _handle_invalid_json_error(
        self, error: Any, req: flask.Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        flask_smorest.abort(400, message="Invalid JSON body.", errors={"json": ["Invalid JSON."]})
        raise AssertionError("abort() returned")  # pragma: no cover


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictJSONParser()
    # Pages of 20 unless asked otherwise; never more than 100 at once.
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}


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


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive id that fits the database's 32-bit integer; else a 404."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def id_parameter_schema(_converter: IdConverter) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
