"""How a request without a usable token is answered: flask-jwt-extended's error loaders,
each a 401 in the one envelope with a machine-readable `error`."""

import re
from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_jwt_extended import JWTManager
from flask_jwt_extended.exceptions import CSRFError

from web.api import error_response


def init_app(app: Flask) -> None:
    """After flask-jwt-extended's init_app: its CSRF handler would answer a CSRF failure
    as a missing token."""
    app.register_error_handler(CSRFError, _csrf_failed)
    app.before_request(_canonical_scheme)


def _csrf_failed(error: CSRFError) -> ResponseReturnValue:
    message = "The X-CSRF-TOKEN header must equal the csrf cookie's value (double submit)."
    return error_response(401, message, error="csrf_failed")


def init_manager(jwt: JWTManager) -> None:
    jwt.unauthorized_loader(_no_token)
    jwt.invalid_token_loader(_invalid)
    jwt.expired_token_loader(_expired)
    jwt.revoked_token_loader(_revoked)
    jwt.needs_fresh_token_loader(_not_fresh)
    jwt.user_lookup_error_loader(_no_user)
    jwt.token_verification_failed_loader(_failed)


_BEARER = r"\s*bearer(?=\s)"


def _canonical_scheme() -> None:
    # RFC 9110 §11.1: the scheme is case-insensitive, and flask-jwt-extended compares it
    # exactly; "bearer", "BEARER" are spelled as it expects before any view reads them.
    header = request.environ.get("HTTP_AUTHORIZATION", "")
    if header and not header.startswith("Bearer ") and re.match(_BEARER, header, re.IGNORECASE):
        request.environ["HTTP_AUTHORIZATION"] = re.sub(
            _BEARER, "Bearer", header, count=1, flags=re.IGNORECASE
        )


def _no_token(reason: str) -> ResponseReturnValue:
    return error_response(
        401,
        "No token: send Authorization: Bearer <access token>, or sign in for the cookie.",
        error="authorization_required",
    )


def _invalid(reason: str) -> ResponseReturnValue:
    return error_response(401, f"Invalid token: {reason}", error="invalid_token")


def _expired(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "Token has expired.", error="token_expired")


def _revoked(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "Token has been revoked.", error="token_revoked")


def _not_fresh(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(
        401,
        "A fresh token is required: POST /reauthenticate with the password, or log in again.",
        error="fresh_token_required",
    )


def _no_user(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "The token's user does not exist.", error="user_not_found")


def _failed(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "Token verification failed.", error="invalid_token")
