"""How tokens reach a client: in the JSON body (the default, for API clients), or as
httpOnly cookies with double-submit CSRF cookies (for browsers, where a script injected
into the page must not be able to read them).

Cookie names, flags and paths are flask-jwt-extended's: access_token_cookie (Path /),
refresh_token_cookie (Path /refresh), csrf_access_token and csrf_refresh_token (readable
by scripts, for the X-CSRF-TOKEN header); HttpOnly, SameSite=Lax, Secure unless
JWT_COOKIE_SECURE is false.
"""

from typing import Any

from flask import Response, current_app, jsonify
from flask_jwt_extended import (
    get_jwt_request_location,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)

from auth import tokens

BODY, COOKIE = "body", "cookie"


def lifetimes() -> dict[str, int]:
    """Seconds until the access token, and the session's refresh token, expire."""
    config = current_app.config
    return {
        "expires_in": int(config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
        "refresh_expires_in": int(config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds()),
    }


def in_cookies(tokens: dict[str, Any]) -> Response:
    """An answer that sets the tokens as cookies and carries none of them in its body."""
    response = jsonify({"token_type": "cookie", **lifetimes()})
    set_access_cookies(response, tokens["access_token"])
    if "refresh_token" in tokens:
        set_refresh_cookies(response, tokens["refresh_token"])
    return response


def by_cookie() -> bool:
    """Whether this request's token came from a cookie (then so does the answer's)."""
    return get_jwt_request_location() == "cookies"


def cleared(body: dict[str, Any]) -> Response:
    """An answer that also expires every token and CSRF cookie (a logout)."""
    response = jsonify(body)
    unset_jwt_cookies(response)
    return response


def signed_in(user: Any, session: Any, mode: str) -> dict[str, Any] | Response:
    """The answer of every way to sign in (password, second factor, passkey): a fresh
    access token and the session's refresh token, in the body or, with mode COOKIE, as
    cookies. The caller has committed the session."""
    issued = tokens.issue(user.id, user.is_admin, session.id, session.refresh_jti, fresh=True)
    return in_cookies(issued) if mode == COOKIE else issued
