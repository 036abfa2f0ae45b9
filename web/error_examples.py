"""Examples of the error envelope for each documented error status, with the real `error`
codes and messages the server sends, merged into the OpenAPI document's components."""

import copy
from typing import Any

from flask import Flask

from web.api import envelope


def _401(error: str, message: str) -> dict[str, Any]:
    return {"summary": error, "value": envelope(401, message, error=error)}


EXAMPLES: dict[str, dict[str, Any]] = {
    "UNAUTHORIZED": {
        "authorization_required": _401(
            "authorization_required", "Missing or malformed Authorization header."
        ),
        "invalid_token": _401("invalid_token", "Invalid token: Signature verification failed"),
        "token_expired": _401("token_expired", "Token has expired."),
        "token_revoked": _401("token_revoked", "Token has been revoked."),
        "fresh_token_required": _401(
            "fresh_token_required", "A fresh token is required: log in again."
        ),
        "user_not_found": _401("user_not_found", "The token's user does not exist."),
        "invalid_credentials": _401("invalid_credentials", "Invalid credentials."),
        "invalid_client": _401(
            "invalid_client", "Introspection needs the client credential (HTTP Basic)."
        ),
    },
    "FORBIDDEN": {"forbidden": {"value": envelope(403, "Only an admin may do this.")}},
    "NOT_FOUND": {"not_found": {"value": envelope(404, "No such store.")}},
    "CONFLICT": {
        "username_taken": {"value": envelope(409, "A user with that username already exists.")},
        "still_linked": {
            "value": envelope(409, "The tag is still linked to items; unlink them first.")
        },
    },
    "UNPROCESSABLE_ENTITY": {
        "invalid_field": {
            "value": envelope(
                422,
                "The request is invalid: see errors.",
                errors={"json": {"password": ["Must be at least 8 characters long."]}},
            )
        }
    },
    "TOO_MANY_REQUESTS": {
        "throttled": {"value": envelope(429, "Too many requests (10 per 1 minute); retry later.")}
    },
    "SERVICE_UNAVAILABLE": {
        "store_down": {
            "value": envelope(503, "The revocation store is unavailable; try again shortly.")
        }
    },
}


def init_app(app: Flask) -> None:
    """Before the Api is made: API_SPEC_OPTIONS is merged into the document as it is
    written, so the examples land on the responses flask-smorest registers."""
    options = copy.deepcopy(app.config["API_SPEC_OPTIONS"])  # Config's dict is shared
    app.config["API_SPEC_OPTIONS"] = options
    responses = options.setdefault("components", {}).setdefault("responses", {})
    for name, examples in EXAMPLES.items():
        content = {"application/json": {"examples": examples}}
        responses.setdefault(name, {})["content"] = content
