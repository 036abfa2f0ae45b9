"""Query strings hold only the parameters the OpenAPI document names for the operation.

An unknown one is a 422 in the error envelope, as an unknown body field is (the bodies'
schemas raise on unknown fields): the document then says exactly what the server
accepts, and a misspelt `?page_sise=5` is told so rather than silently ignored (Stripe's
API answers the same way). Routes the document does not describe (the account page and
its recovery links, Swagger UI, the metrics) are left alone.
"""

import functools
import re
from typing import Any

from flask import Flask, request

from web.api import Api, abort

# A Flask rule's variables, <name> or <converter:name>, become OpenAPI's {name}.
_VARIABLE = r"<(?:[^<>:]+:)?([^<>]+)>"
# An answer names at most this many of the unknown parameters, each cut to this length.
_NAMED, _NAME_LENGTH = 10, 64


def _documented(spec: dict[str, Any]) -> dict[tuple[str, str], frozenset[str]]:
    """(OpenAPI path, method) -> the names of its query parameters."""
    table = {}
    for path, item in spec.get("paths", {}).items():
        shared = [p for p in item.get("parameters", []) if p.get("in") == "query"]
        for method, operation in item.items():
            if method == "parameters" or not isinstance(operation, dict):
                continue
            own = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            table[(path, method)] = frozenset(p["name"] for p in shared + own)
    return table


@functools.cache  # a route's rule, so as many entries as the app has routes
def _openapi_path(rule: str) -> str:
    """A Flask rule as its OpenAPI path: /item/<id:item_id> -> /item/{item_id}."""
    return re.sub(_VARIABLE, r"{\1}", rule)


def init_app(app: Flask, api: Api) -> None:
    state: dict[str, dict[tuple[str, str], frozenset[str]]] = {}

    def refuse_unknown_query() -> None:
        if not request.args or request.url_rule is None or request.method == "OPTIONS":
            return
        if "table" not in state:  # once per worker: the document is fixed after start
            state["table"] = _documented(api.spec.to_dict())
        method = "get" if request.method == "HEAD" else request.method.lower()
        names = state["table"].get((_openapi_path(request.url_rule.rule), method))
        if names is None:
            return
        unknown = [name for name in request.args if name not in names]
        if unknown:
            errors = {name[:_NAME_LENGTH]: ["Unknown field."] for name in unknown[:_NAMED]}
            abort(422, "Unknown query parameter.", errors={"query": errors})

    app.before_request(refuse_unknown_query)
