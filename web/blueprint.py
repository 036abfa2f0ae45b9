"""flask-smorest's Blueprint: strict JSON parsing, and pages of 20 by default."""

import json
from typing import Any, NoReturn

import flask
import flask_smorest
import marshmallow as ma
from webargs import core
from webargs.flaskparser import FlaskParser

JSON = "application/json"


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

    def load_json(self, req: flask.Request, schema: ma.Schema) -> Any:
        # webargs reads a body of any other media type as "no body", and the answer would
        # be 422 "missing" for fields that were sent: say what was wrong instead.
        if not core.is_json(req.mimetype):
            flask_smorest.abort(
                415,
                message=f"The body must be JSON (Content-Type: {JSON}), not "
                f"{req.mimetype or 'a body without a Content-Type'}.",
            )
        return super().load_json(req, schema)

    def load_json_or_form(self, req: flask.Request, schema: ma.Schema) -> Any:
        # Either media type, chosen by the Content-Type alone (RFC 7662 posts a form).
        if core.is_json(req.mimetype):
            return super().load_json(req, schema)
        return self.load_form(req, schema)

    def _handle_invalid_json_error(
        self, error: Any, req: flask.Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        flask_smorest.abort(400, message="Invalid JSON body.", errors={"json": ["Invalid JSON."]})
        raise AssertionError("abort() returned")  # pragma: no cover


class Parser(StrictJSONParser):
    """Builds each schema class once: webargs would build one per request, and
    flask-smorest hands it classes (a marshmallow schema keeps no state between loads)."""

    def __init__(self) -> None:
        super().__init__()
        self._schemas: dict[type, ma.Schema] = {}

    def _get_schema(self, argmap: Any, req: flask.Request) -> ma.Schema:
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            if argmap not in self._schemas:
                self._schemas[argmap] = argmap()
            return self._schemas[argmap]
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = PAGINATION_ARGUMENTS_PARSER = Parser()

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        """flask-smorest's, with the 415 a JSON body can get documented too."""
        decorator = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return decorator
        return lambda func: self.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")(
            decorator(func)
        )

    # Pages of 20 unless asked otherwise; never more than 100 at once.
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}

    def _document_pagination_metadata(self, spec: Any, resp_doc: dict) -> None:
        # flask-smorest's documented override point. A header is a string: documented as an
        # object, clients (and schemathesis) that check headers against the document fail.
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "JSON object: total, total_pages, and when there are items "
            "first_page, last_page, page, previous_page, next_page",
            "schema": {"type": "string", "example": '{"total": 1, "total_pages": 1}'},
        }

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> dict[str, int]:
        # flask-smorest's X-Pagination, without building and running a schema per request.
        if item_count == 0:
            return {"total": 0, "total_pages": 0}
        last_page = (item_count - 1) // page_size + 1
        meta = {"total": item_count, "total_pages": last_page, "first_page": 1}
        meta["last_page"] = last_page
        if page <= last_page:
            meta["page"] = page
            if page > 1:
                meta["previous_page"] = page - 1
            if page < last_page:
                meta["next_page"] = page + 1
        return meta
