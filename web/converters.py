"""The `<id:name>` URL converter."""

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from models.types import MAX_ID


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive id that fits the database's 32-bit integer; else a 404."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def id_parameter_schema(_converter: IdConverter) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
