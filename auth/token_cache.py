"""An optional shortcut: each worker remembers the tokens whose signature it verified.

A client sends one access token many times. With VERIFIED_TOKENS_REMEMBERED > 0 (the
default, 2,048 per worker; 0 turns this module off) a token seen before skips the parse
and signature check when the key that verified it still verifies (same key id, same key,
same algorithms, issuer and audience), but never the expiry check, and never revocation,
which runs on every request after decoding.

This replaces flask-jwt-extended's private `JWTManager._decode_jwt_from_config` for hits
only: a miss, an expired token, or a CSRF check goes through the upstream method itself,
and so through every check upstream has. Its version is pinned in requirements.txt, and
UPSTREAM_DIGEST is the digest of the method this was written against: the unit tests
fail when an upgrade changes it, so that the change is read before the cache is trusted.

It also answers the header that flask-jwt-extended reads again once a token is decoded
(`view_decorators.get_unverified_jwt_headers`, which PyJWT answers by parsing and
checking the whole token once more: about 50 µs, more than the rest of a hit costs). For
a remembered token that header is the one its signature covered. HEADER_READ_DIGEST pins
the upstream function that makes that call, for the same reason.
"""

import json
import threading
import time
from collections import OrderedDict
from typing import Any, NamedTuple

import jwt as pyjwt
from flask import Flask, current_app
from flask_jwt_extended import JWTManager, view_decorators
from flask_jwt_extended.config import config
from flask_jwt_extended.utils import get_unverified_jwt_headers
from jwt.utils import base64url_decode

UPSTREAM_DIGEST = "f72f79921e45f5bc3dd0e4f7dfa3e023d83ae6e5090f2db9e9ec71b08cdd2ed3"
# view_decorators._decode_jwt_from_request: decodes, then reads the header again by name.
HEADER_READ_DIGEST = "ae18c5cc5bae57764e349f8d750473998246b30ed68538214f70c46d7807c986"


class Verified(NamedTuple):
    header: dict[str, Any]  # as signed
    key: Any  # the key that verified it
    settings: tuple  # algorithms, issuer and audience it was verified under
    claims: dict[str, Any]


class VerifiedTokens:
    """The claims of the tokens a worker verified last, by token, with the key and
    settings that verified them: bounded (LRU), and per app."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, Verified] = OrderedDict()
        self._lock = threading.Lock()  # threaded workers share one

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str) -> Verified | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                self._entries.move_to_end(token)
            return entry

    def put(self, token: str, entry: Verified) -> None:
        with self._lock:
            self._entries[token] = entry
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)


def init_app(app: Flask) -> None:
    size = app.config["VERIFIED_TOKENS_REMEMBERED"]
    if size > 0:
        app.extensions["verified_tokens"] = VerifiedTokens(size)
        # Process-wide, but it answers from this app's cache only, else as upstream does.
        view_decorators.get_unverified_jwt_headers = _header_of
    else:
        app.extensions.pop("verified_tokens", None)


def _header_of(encoded_token: str) -> dict:
    cache: VerifiedTokens | None = current_app.extensions.get("verified_tokens")
    entry = cache.get(encoded_token) if cache is not None else None
    if entry is None:
        return get_unverified_jwt_headers(encoded_token)
    return dict(entry.header)


def _signed_header(encoded_token: str) -> dict[str, Any]:
    # Only for a token PyJWT has just verified: its first segment is known well-formed.
    header: dict[str, Any] = json.loads(base64url_decode(encoded_token.split(".", 1)[0]))
    return header


def _settings() -> tuple:
    return (tuple(config.decode_algorithms), config.decode_issuer, config.decode_audience)


class TokenManager(JWTManager):
    """flask-jwt-extended's JWTManager, with the verified-token cache in front of its decode.

    `key_for_kid` resolves a key id to the key that verifies it now (raising when it no
    longer does); the app sets it with the decode key loader.
    """

    key_for_kid: Any = None

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: str | None = None, allow_expired: bool = False
    ) -> dict:
        cache: VerifiedTokens | None = current_app.extensions.get("verified_tokens")
        if cache is None or csrf_value or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        entry = cache.get(encoded_token)
        if entry is not None:
            kid = entry.header.get("kid", "")
            if entry.settings == _settings() and self.key_for_kid(kid) is entry.key:
                # What PyJWT would refuse now that it accepted then: only the expiry moves.
                if entry.claims["exp"] <= time.time() - config.leeway:
                    error = pyjwt.ExpiredSignatureError("Signature has expired")
                    # flask-jwt-extended hands both to the expired-token callback.
                    error.jwt_header = dict(entry.header)  # type: ignore[attr-defined]
                    error.jwt_data = dict(entry.claims)  # type: ignore[attr-defined]
                    raise error
                return dict(entry.claims)
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        header = _signed_header(encoded_token)
        key = self.key_for_kid(header.get("kid", ""))
        cache.put(encoded_token, Verified(header, key, _settings(), dict(claims)))
        return claims
