"""Reading a token on every request: parsed once, verified once, its shape checked as signed.

flask-jwt-extended's JWTManager parses each token four times (claims, then header, both
unverified for the key loader; then the verified decode), and PyJWT checks every segment
character by character in Python: together a third of a protected request's cost. This
manager reads the unverified header and claims with the C decoders, only to choose the
key (nothing there is trusted), and leaves every check to one verified PyJWT decode.

A client sends one access token many times, so each worker remembers the last tokens
it verified (VerifiedTokens): a token seen before, with the same key and settings,
skips the signature and shape checks but never the expiry check, and never revocation,
which is checked on every request after decoding.

_decode_jwt_from_config is flask-jwt-extended's own (private) hook: its version is
pinned in requirements.txt, and tests/test_tokens.py goes through every path of it.
"""

import base64
import json
import threading
import time
from collections import OrderedDict
from hmac import compare_digest
from typing import Any

import jwt as pyjwt
from flask import current_app
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config
from flask_jwt_extended.exceptions import CSRFError, JWTDecodeError

# Without these a token is refused as invalid: each one is needed by some later check.
REQUIRED_CLAIMS = ("sub", "exp", "iat", "jti", "sid", "type")
# Anything else in a header (jwk, jku, x5u, x5c, crit...) asks the verifier to trust
# material the token brings along (RFC 8725 §3.10): refused outright.
ALLOWED_HEADERS = {"alg", "typ", "kid"}


class VerifiedTokens:
    """The claims of the tokens a worker verified last, by token, with the key and
    settings that verified them: bounded, and per app."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._claims: OrderedDict[str, tuple[Any, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share one

    def __len__(self) -> int:
        return len(self._claims)

    def get(self, token: str, verifier: tuple) -> dict[str, Any] | None:
        with self._lock:
            entry = self._claims.get(token)
            if entry is None or entry[0] != verifier:
                return None
            self._claims.move_to_end(token)
        claims = entry[1]
        # What PyJWT would refuse now that it accepted then: only the expiry moves.
        if claims["exp"] <= time.time() - config.leeway:
            raise pyjwt.ExpiredSignatureError("Signature has expired")
        return dict(claims)

    def put(self, token: str, verifier: tuple, claims: dict[str, Any]) -> None:
        with self._lock:
            self._claims[token] = (verifier, dict(claims))
            if len(self._claims) > self.size:
                self._claims.popitem(last=False)


class TokenManager(JWTManager):
    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: str | None = None, allow_expired: bool = False
    ) -> dict:
        header, unverified_claims = _unverified(encoded_token)
        key = self._decode_key_callback(header, unverified_claims)
        cache: VerifiedTokens = current_app.extensions["verified_tokens"]
        verifier = (key, config.decode_algorithms, config.decode_issuer, config.decode_audience)
        if not (allow_expired or csrf_value):
            try:
                remembered = cache.get(encoded_token, verifier)
            except pyjwt.ExpiredSignatureError as exc:
                exc.jwt_header = header  # type: ignore[attr-defined]
                exc.jwt_data = unverified_claims  # type: ignore[attr-defined]
                raise
            if remembered is not None:
                return remembered
        try:
            decoded = _verified(encoded_token, key, verify_exp=not allow_expired)
        except pyjwt.ExpiredSignatureError as exc:
            # flask-jwt-extended hands both to the expired-token callback.
            exc.jwt_header = header  # type: ignore[attr-defined]
            exc.jwt_data = _verified(encoded_token, key, verify_exp=False)["payload"]  # type: ignore[attr-defined]
            raise
        claims: dict[str, Any] = decoded["payload"]
        verify_shape(decoded["header"], claims)
        claims.setdefault("fresh", False)  # refresh tokens carry none
        cache.put(encoded_token, verifier, claims)
        if csrf_value and not compare_digest(str(claims.get("csrf", "")), csrf_value):
            raise CSRFError("CSRF double submit tokens do not match")
        return claims


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three segments")
        header, claims = (
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            for part in parts[:2]
        )
    except (ValueError, RecursionError) as exc:  # binascii and JSON errors are ValueErrors
        raise pyjwt.DecodeError("Malformed token.") from exc
    if not (isinstance(header, dict) and isinstance(claims, dict)):
        raise pyjwt.DecodeError("Malformed token.")
    if not isinstance(header.get("kid", ""), str):
        raise pyjwt.DecodeError("Key ID header parameter must be a string")
    return header, claims


def _verified(token: str, key: Any, *, verify_exp: bool) -> dict[str, Any]:
    """PyJWT's checks, configured as flask-jwt-extended configures them."""
    return pyjwt.decode_complete(
        token,
        key,
        algorithms=config.decode_algorithms,
        audience=config.decode_audience,
        issuer=config.decode_issuer,
        leeway=config.leeway,
        options={
            "verify_aud": config.decode_audience is not None,
            "verify_sub": config.verify_sub,
            "verify_exp": verify_exp,
        },
    )


def verify_shape(header: dict[str, Any], claims: dict[str, Any]) -> None:
    """What PyJWT leaves to us: no foreign headers, every claim we rely on, as signed
    (flask-jwt-extended would fill in a missing `type`, `fresh` or `jti`)."""
    unexpected = set(header) - ALLOWED_HEADERS
    if unexpected:
        raise JWTDecodeError(f"Unexpected header: {sorted(unexpected)[0]}.")
    missing = [claim for claim in REQUIRED_CLAIMS if claim not in claims]
    if missing:
        raise JWTDecodeError(f"Missing claim: {missing[0]}.")
    if not (isinstance(claims["sub"], str) and claims["sub"].isascii() and claims["sub"].isdigit()):
        raise JWTDecodeError("Invalid subject.")
    if not isinstance(claims["sid"], str) or not isinstance(claims["jti"], str):
        raise JWTDecodeError("Invalid session or token id.")
    if claims["type"] not in ("access", "refresh"):
        raise JWTDecodeError("Invalid token type.")
