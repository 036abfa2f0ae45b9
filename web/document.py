"""What the OpenAPI document says beside the routes: an introduction, the security schemes,
and for each documented error status examples with the real `error` codes and messages."""

import copy
from typing import Any

from flask import Flask

from web.api import envelope

INTRODUCTION = """\
Accounts and JWTs with real logout. To try it here:

1. **POST /register** with a username and a password (8 characters or more).
2. **POST /login** with the same: the answer has an `access_token` (fresh, 15 minutes) and
   a `refresh_token` (30 days, spent on each use).
3. Click **Authorize**: paste the access token under *bearerAuth* and the refresh token
   under *refreshAuth*. The page keeps them across reloads.
4. Call the other operations. **POST /refresh** uses *refreshAuth* and returns a new pair:
   paste both again.

A *fresh* token (one straight from /login) is needed by `POST /me/password`,
`DELETE /user/{user_id}` and `POST /item`; after a refresh, log in again for those.

Every error has one shape, `{"code", "status", "message", "errors"?, "error"?}`; 401s
carry `error`, one of `authorization_required`, `invalid_token`, `token_expired`,
`token_revoked`, `fresh_token_required`, `user_not_found`, `invalid_credentials` (and
`invalid_client` on /introspect). Each operation lists the statuses it can answer.
"""


SPEC_OPTIONS: dict[str, Any] = {
    "info": {"description": INTRODUCTION},
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The access_token from POST /login or POST /refresh.",
            },
            "refreshAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The refresh_token from POST /login; only POST /refresh "
                "takes it, and each one is spent on use.",
            },
            "introspectionServiceCredential": {
                "type": "http",
                "scheme": "basic",
                "description": "A service credential, not a user login: the "
                "INTROSPECTION_CLIENT_ID and INTROSPECTION_CLIENT_SECRET a resource "
                "server presents to POST /introspect.",
            },
        }
    },
}


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
    options = copy.deepcopy(SPEC_OPTIONS)
    app.config["API_SPEC_OPTIONS"] = options
    # The Authorize dialog keeps what was pasted across reloads (browser local storage).
    app.config["OPENAPI_SWAGGER_UI_CONFIG"] = {"persistAuthorization": True}
    responses = options.setdefault("components", {}).setdefault("responses", {})
    for name, examples in EXAMPLES.items():
        content = {"application/json": {"examples": examples}}
        responses.setdefault(name, {})["content"] = content
