"""Issuing tokens, and the flask-jwt-extended callbacks that judge them on every request."""

from typing import Any

from flask import Flask, current_app, g
from flask_jwt_extended import create_access_token, create_refresh_token
from flask_jwt_extended.exceptions import JWTDecodeError

from auth import challenges, sessions, token_cache
from auth.claims import verify_shape
from auth.keys import keyring, make_keyring
from auth.revocation import Check, Principal, current_blocklist
from auth.token_cache import TokenManager

jwt = TokenManager()


def issue(user_id: int, is_admin: bool, sid: str, refresh_jti: str, *, fresh: bool) -> dict:
    """A new access token and the session's refresh token (its jti chosen by the caller,
    so that the session row names its one spendable refresh token), with their lifetimes
    in seconds as RFC 6749 §5.1 has them, so a client can plan its refresh."""
    identity = str(user_id)  # PyJWT >= 2.10 refuses a non-string `sub`
    config = current_app.config
    return {
        "token_type": "Bearer",
        "expires_in": int(config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
        "refresh_expires_in": int(config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds()),
        "access_token": create_access_token(
            identity, fresh=fresh, additional_claims={"sid": sid, "is_admin": is_admin}
        ),
        "refresh_token": create_refresh_token(
            identity, additional_claims={"sid": sid, "jti": refresh_jti}
        ),
    }


def issue_fresh_access(user_id: int, is_admin: bool, sid: str) -> str:
    """A fresh access token for an existing session: the person proved their password
    again (RFC 9470 step-up), and the session and its refresh token stay as they are."""
    return create_access_token(
        str(user_id), fresh=True, additional_claims={"sid": sid, "is_admin": is_admin}
    )


def init_app(app: Flask) -> None:
    make_keyring(app)
    token_cache.init_app(app)
    jwt.init_app(app)
    challenges.init_app(app)


def key_for_kid(kid: object) -> Any:
    """The key that verifies tokens with this key id now; JWTDecodeError if none does."""
    ring = keyring()
    if ring is None:
        if kid != current_app.config["JWT_KID"]:
            raise JWTDecodeError("Unknown key id.")
        return current_app.config["JWT_SECRET_KEY"]
    key = ring.find(kid)
    if key is None:
        raise JWTDecodeError("Unknown key id.")
    return key.public


jwt.key_for_kid = key_for_kid


def check(claims: dict[str, Any]) -> Check:
    """The revocation check of this request's token, asked of the store once per request
    whichever callback needs it first."""
    cached: tuple[str, Check] | None = g.get("revocation_check")
    if cached is not None and cached[0] == claims["jti"]:
        return cached[1]
    result = current_blocklist().check(claims)
    g.revocation_check = (claims["jti"], result)
    return result


@jwt.encode_key_loader
def _signing_key(_identity: Any) -> Any:
    ring = keyring()
    return ring.active().private if ring else current_app.config["JWT_SECRET_KEY"]


@jwt.decode_key_loader
def _verifying_key(header: dict[str, Any], claims: dict[str, Any]) -> Any:
    # Runs before the signature check, on the very header and claims it covers.
    verify_shape(header, claims)
    return key_for_kid(header.get("kid"))


@jwt.additional_headers_loader
def _headers(_identity: Any) -> dict[str, str]:
    ring = keyring()
    return {"kid": ring.active().kid if ring else current_app.config["JWT_KID"]}


@jwt.token_in_blocklist_loader
def _is_revoked(_header: dict[str, Any], claims: dict[str, Any]) -> bool:
    result = check(claims)
    if result.principal is None:
        return False  # the user lookup answers user_not_found
    if result.revoked:
        return True
    if sessions.is_spent(claims, result) and not sessions.in_reuse_interval(claims, result):
        sessions.reuse_detected(result.principal.id, claims["sid"])
        return True
    return False


@jwt.user_lookup_loader
def _load_principal(_header: dict[str, Any], claims: dict[str, Any]) -> Principal | None:
    return check(claims).principal


challenges.init_manager(jwt)
