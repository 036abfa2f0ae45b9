"""The Api and its one error envelope, {"code", "status", "message", "errors"?, "error"?},
with mfa_token and methods in a 403 mfa_required."""

from http import HTTPStatus
from typing import Any, NoReturn

import flask_smorest
import marshmallow as ma
from flask import jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed


def envelope(code: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "status": HTTPStatus(code).phrase, "message": message, **extra}


def abort(code: int, message: str, **extra: Any) -> NoReturn:
    """flask-smorest's abort into the envelope, typed as never returning."""
    flask_smorest.abort(code, message=message, **extra)
    raise AssertionError("abort() returned")  # pragma: no cover


# The RFC 6750 §3.1 error code each of our reasons stands for; a reason not listed (no
# token at all) gets the bare challenge, as RFC 6750 §3.1 asks of a request without one.
_BEARER_ERRORS = {
    "invalid_token": "invalid_token",
    "token_expired": "invalid_token",
    "token_revoked": "invalid_token",
    "user_not_found": "invalid_token",
    # RFC 9470 §3: valid, but the person must prove who they are again (POST
    # /reauthenticate), which no refresh can do: a client can tell the two apart.
    "fresh_token_required": "insufficient_user_authentication",
}


def www_authenticate(error: str | None, description: str) -> str:
    """The challenge of a 401 (RFC 9110 §11.6.1): HTTP Basic for the introspection client
    (RFC 7662 §2.1), else Bearer with RFC 6750 §3's error attribute."""
    if error == "invalid_client":
        return 'Basic realm="introspection", charset="UTF-8"'
    code = _BEARER_ERRORS.get(error or "")
    if code is None:
        return 'Bearer realm="api"'
    # RFC 6750 §3: error_description is printable ASCII without '"' or '\\'.
    text = "".join(c for c in description if " " <= c <= "~" and c not in '"\\')
    return f'Bearer realm="api", error="{code}", error_description="{text}"'


def error_response(code: int, message: str, **extra: Any) -> ResponseReturnValue:
    headers = {"WWW-Authenticate": www_authenticate(extra.get("error"), message)}
    return jsonify(envelope(code, message, **extra)), code, headers if code == 401 else {}


_DEFAULT_MESSAGES = {
    422: "The request is invalid: see errors.",
    # A 500 says nothing of its cause: no stack trace or exception text leaks.
    500: "Internal server error.",
}


class ErrorSchema(flask_smorest.error_handler.ErrorSchema):
    error = ma.fields.String(
        metadata={
            "description": "A machine-readable reason: why authentication failed (401; "
            "invalid_client is /introspect's), or why an account step was refused",
            "enum": [
                "authorization_required",
                "invalid_token",
                "token_expired",
                "token_revoked",
                "fresh_token_required",
                "user_not_found",
                "invalid_credentials",
                "invalid_client",
                "email_not_verified",
                "email_taken",
                "already_verified",
                "invalid_or_expired_token",
                "csrf_failed",
                "username_taken",
                "email_required",
                "account_locked",
                "own_account",
                "last_admin",
                "invalid_challenge",
                "invalid_credential",
                "unknown_credential",
                "passkey_invalid",
                "passkey_locked",
                "sign_count_regressed",
                "passkey_exists",
                "too_many_passkeys",
                "no_passkey",
                "mfa_required",
                "invalid_code",
                "totp_active",
                "totp_not_active",
                "totp_not_pending",
            ],
        }
    )
    mfa_token = ma.fields.String(
        metadata={
            "description": "With mfa_required from POST /login: for POST /login/mfa, single-use, "
            "5 minutes"
        }
    )
    methods = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "With mfa_required: the second factors that can answer, "
            'e.g. ["totp", "recovery_code", "passkey"]; "passkey" answers at POST '
            "/login/passkey (or /reauthenticate/passkey), with no mfa_token"
        },
    )


# Fields an abort() may add to the envelope besides message and errors.
_EXTRA_FIELDS = ("error", "mfa_token", "methods")


class Api(flask_smorest.Api):
    """flask-smorest's Api, with a message on every error and the `Allow` header on 405."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        payload, code, headers = super().handle_http_exception(error)
        headers = dict(headers or {})
        data = getattr(error, "data", None) or {}
        for field in _EXTRA_FIELDS:  # e.g. a machine-readable reason, as JWT failures carry
            if field in data:
                payload[field] = data[field]
        if code == 429:  # Flask-Limiter's description is the limit itself, e.g. "10 per 1 minute"
            payload["message"] = f"Too many requests ({error.description}); retry later."
        if "message" not in payload:
            payload["message"] = _DEFAULT_MESSAGES.get(code) or error.description or error.name
        if code == 401:
            headers["WWW-Authenticate"] = www_authenticate(payload.get("error"), payload["message"])
        # flask-smorest drops it; RFC 9110 requires it on a 405.
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return payload, code, headers
