"""Issuing tokens, and the flask-jwt-extended callbacks that judge them on every request."""

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from flask.typing import ResponseReturnValue
from flask_jwt_extended import create_access_token, create_refresh_token
from flask_jwt_extended.exceptions import JWTDecodeError

import auth_sessions
from blocklist import Principal, current_blocklist
from errors import error_response
from extensions import jwt
from keys import ASYMMETRIC, KeyRing
from token_decoding import VerifiedTokens


def issue(user_id: int, is_admin: bool, sid: str, refresh_jti: str, *, fresh: bool) -> dict:
    identity = str(user_id)  # PyJWT >= 2.10 refuses a non-string `sub`
    return {
        "access_token": create_access_token(
            identity, fresh=fresh, additional_claims={"sid": sid, "is_admin": is_admin}
        ),
        # The jti is chosen here so that the session row can name its one valid refresh token.
        "refresh_token": create_refresh_token(
            identity, additional_claims={"sid": sid, "jti": refresh_jti}
        ),
    }


def init_app(app: Flask) -> None:
    for key in ("JWT_ACCESS_TOKEN_EXPIRES", "JWT_REFRESH_TOKEN_EXPIRES"):
        # FLASK_JWT_..._EXPIRES=900 arrives as seconds; session expiry needs a timedelta.
        if not isinstance(app.config[key], timedelta):
            app.config[key] = timedelta(seconds=app.config[key])
    algorithm = app.config["JWT_ALGORITHM"]
    if algorithm in ASYMMETRIC:
        lifetime = max(
            app.config["JWT_ACCESS_TOKEN_EXPIRES"], app.config["JWT_REFRESH_TOKEN_EXPIRES"]
        ).total_seconds()
        folder = Path(app.instance_path) / "keys"
        ring = KeyRing(folder, algorithm, lifetime, app.config.get("JWT_PRIVATE_KEY_FILE"))
        ring.active()  # made (once, for every worker) at start, not at the first login
        app.extensions["keyring"] = ring
    elif algorithm == "HS256":
        secret = app.config["JWT_SECRET_KEY"].encode()
        # Names the key without revealing it: a one-way digest of a 256-bit secret.
        app.config["JWT_KID"] = hashlib.sha256(b"kid:" + secret).hexdigest()[:16]
    else:
        raise RuntimeError(f"JWT_ALGORITHM must be HS256, RS256, ES256 or EdDSA, not {algorithm}")
    # Only the configured algorithm verifies: no HS/RS confusion, no alg=none.
    app.config["JWT_DECODE_ALGORITHMS"] = [algorithm]
    app.extensions["verified_tokens"] = VerifiedTokens(app.config["VERIFIED_TOKENS_REMEMBERED"])
    jwt.init_app(app)


def keyring() -> KeyRing | None:
    ring: KeyRing | None = current_app.extensions.get("keyring")
    return ring


@jwt.encode_key_loader
def _signing_key(_identity: Any) -> Any:
    ring = keyring()
    return ring.active().private if ring else current_app.config["JWT_SECRET_KEY"]


@jwt.decode_key_loader
def _verifying_key(header: dict[str, Any], _claims: dict[str, Any]) -> Any:
    # Runs before the signature check: a key id we never issued goes no further.
    ring = keyring()
    if ring is None:
        if header.get("kid") != current_app.config["JWT_KID"]:
            raise JWTDecodeError("Unknown key id.")
        return current_app.config["JWT_SECRET_KEY"]
    key = ring.find(header.get("kid"))
    if key is None:
        raise JWTDecodeError("Unknown key id.")
    return key.public


@jwt.additional_headers_loader
def _headers(_identity: Any) -> dict[str, str]:
    ring = keyring()
    return {"kid": ring.active().kid if ring else current_app.config["JWT_KID"]}


@jwt.token_in_blocklist_loader
def _is_revoked(header: dict[str, Any], claims: dict[str, Any]) -> bool:
    # The first hook flask-jwt-extended calls after the signature, expiry and shape checks.
    check = current_blocklist().check(claims)
    g.principal = check.principal
    if check.principal is None:
        return False  # the user lookup answers user_not_found
    if check.revoked:
        return True
    if claims["type"] == "refresh" and claims["jti"] != check.refresh_jti:
        # A spent refresh token came back: it was stolen or replayed. Whoever holds the
        # session's newer tokens cannot be told apart from the thief, so all of it ends.
        auth_sessions.revoke(check.principal.id, sid=claims["sid"])
        auth_sessions.log_event("reuse_detected", check.principal.id, claims["sid"])
        return True
    return False


@jwt.user_lookup_loader
def _load_principal(_header: dict[str, Any], _claims: dict[str, Any]) -> Principal | None:
    principal: Principal | None = g.get("principal")
    return principal


@jwt.unauthorized_loader
def _no_token(reason: str) -> ResponseReturnValue:
    return error_response(
        401, "Missing or malformed Authorization header.", error="authorization_required"
    )


@jwt.invalid_token_loader
def _invalid(reason: str) -> ResponseReturnValue:
    return error_response(401, f"Invalid token: {reason}", error="invalid_token")


@jwt.expired_token_loader
def _expired(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "Token has expired.", error="token_expired")


@jwt.revoked_token_loader
def _revoked(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "Token has been revoked.", error="token_revoked")


@jwt.needs_fresh_token_loader
def _not_fresh(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(
        401, "A fresh token is required: log in again.", error="fresh_token_required"
    )


@jwt.user_lookup_error_loader
def _no_user(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "The token's user does not exist.", error="user_not_found")


@jwt.token_verification_failed_loader
def _failed(_header: dict[str, Any], _claims: dict[str, Any]) -> ResponseReturnValue:
    return error_response(401, "Token verification failed.", error="invalid_token")
