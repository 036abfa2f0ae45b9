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

A *fresh* token (one straight from /login, or from **POST /reauthenticate** with the
password, or from **POST /reauthenticate/passkey** with one of the caller's passkeys) is
needed by `POST /me/password`, `POST /me/email`, `DELETE /user/{user_id}`, `POST /item`
and every change under `/admin`; a refresh never makes a token fresh.

With a second factor (TOTP, `POST /me/mfa/totp`), **POST /login** answers 403
`mfa_required` with an `mfa_token` instead of tokens: **POST /login/mfa** with it and the
authenticator's code (or a recovery code) gives the tokens. A passkey is a second factor
too: when `methods` holds `passkey`, **POST /login/passkey** signs in with it alone (it is
both factors); an account whose only second factor is a passkey has `methods`
`["passkey"]`, and proves it is still the caller with
**POST /reauthenticate/passkey/options** then **POST /reauthenticate/passkey**.

Browsers can log in with `"transport": "cookie"` instead (httpOnly cookies and an
`X-CSRF-TOKEN` header): see the README's Browser clients, and the page at `/account`.

Every error has one shape, `{"code", "status", "message", "errors"?, "error"?}`; 401s
carry `error`, one of `authorization_required`, `invalid_token`, `token_expired`,
`token_revoked`, `fresh_token_required`, `user_not_found`, `invalid_credentials`,
`csrf_failed` (and `invalid_client` on /introspect); the account steps add
`invalid_or_expired_token`, `email_not_verified`, `email_taken`, `username_taken`,
`already_verified` and `email_required`; second factors add `mfa_required`,
`invalid_code`, `totp_active`, `totp_not_active` and `totp_not_pending`; passkeys add
`invalid_challenge`, `invalid_credential`, `unknown_credential`, `passkey_invalid`,
`passkey_locked`, `sign_count_regressed`, `passkey_exists`, `too_many_passkeys` and
`no_passkey`;
administration adds `account_locked` (a login of a locked account), `own_account` and
`last_admin`. Each operation lists the statuses it can answer.
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
            "authorization_required",
            "No token: send Authorization: Bearer <access token>, or sign in for the cookie.",
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
        "csrf_failed": _401(
            "csrf_failed",
            "The X-CSRF-TOKEN header must equal the csrf cookie's value (double submit).",
        ),
        "unknown_credential": _401("unknown_credential", "No account has this passkey."),
        "passkey_invalid": _401(
            "passkey_invalid",
            "The passkey's answer failed: Unexpected client data origin "
            '"https://evil.example", '
            'expected "https://auth.example.com"',
        ),
        "sign_count_regressed": _401(
            "sign_count_regressed",
            "This passkey's signature counter went backwards, as a copied authenticator's "
            "does: it is locked now. Sign in another way and remove it.",
        ),
    },
    "BAD_REQUEST": {
        "invalid_or_expired_token": {
            "value": envelope(
                400,
                "The link is invalid or has expired: ask for a new one.",
                error="invalid_or_expired_token",
            )
        },
        "invalid_json": {"value": envelope(400, "Invalid JSON body.")},
        "invalid_challenge": {
            "value": envelope(
                400,
                "Unknown, used or expired challenge: ask POST /me/passkeys/options again.",
                error="invalid_challenge",
            )
        },
        "invalid_credential": {
            "value": envelope(
                400,
                "The passkey was not accepted: Unexpected RP ID hash",
                error="invalid_credential",
            )
        },
        "invalid_code": {
            "value": envelope(400, "The code is wrong, or was used already.", error="invalid_code")
        },
    },
    "FORBIDDEN": {
        "forbidden": {"value": envelope(403, "Only an admin may do this.")},
        "email_not_verified": {
            "value": envelope(
                403,
                "Verify your e-mail address first: see the link sent to it.",
                error="email_not_verified",
            )
        },
        "account_locked": {
            "value": envelope(
                403, "This account is locked; contact an administrator.", error="account_locked"
            )
        },
        "mfa_required": {
            "value": envelope(
                403,
                "A second factor is required: POST /login/mfa with this mfa_token and a code.",
                error="mfa_required",
                mfa_token="7hVQ_VM4GEq1MIsErQGNK10tDqpvoOBIowdMFiRBY2o",
                methods=["totp", "recovery_code"],
            )
        },
        "mfa_required_passkey": {
            "value": envelope(
                403,
                "This account's second factor is a passkey: sign in with it (POST /login/passkey).",
                error="mfa_required",
                methods=["passkey"],
            )
        },
    },
    "NOT_FOUND": {"not_found": {"value": envelope(404, "No such store.")}},
    "CONFLICT": {
        "username_taken": {
            "value": envelope(
                409, "A user with that username already exists.", error="username_taken"
            )
        },
        "email_taken": {
            "value": envelope(409, "Another account uses this address.", error="email_taken")
        },
        "passkey_exists": {
            "value": envelope(409, "This passkey is already registered.", error="passkey_exists")
        },
        "no_passkey": {
            "value": envelope(
                409,
                "This account has no usable passkey: confirm with the password.",
                error="no_passkey",
            )
        },
        "own_account": {
            "value": envelope(409, "An admin cannot lock or demote themself.", error="own_account")
        },
        "last_admin": {
            "value": envelope(
                409, "The last active admin cannot be locked or demoted.", error="last_admin"
            )
        },
        "totp_active": {
            "value": envelope(
                409, "TOTP is active already: turn it off first.", error="totp_active"
            )
        },
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
        "redis_down": {
            "value": envelope(
                503, "Unreachable: redis.", errors={"database": "ok", "redis": "down"}
            )
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
