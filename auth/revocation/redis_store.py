"""Revocations mirrored in Redis, with a TTL equal to what is left of each token's life.

Redis answers "is this jti or sid revoked?" in one pipelined round trip; the database
stays the source of truth. Redis may lose everything (a restart without persistence), so
a marker key says Redis holds the full set: when it is missing, the first check refills
Redis from the database before it answers. Unreachable Redis raises, and the request
fails closed with a 503.
"""

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import redis
from flask import current_app
from sqlalchemy import select

from auth.revocation import (
    SESSION_COLUMNS,
    Check,
    Revoked,
    after_user,
    params,
    principal_of,
    user_and_session,
)
from extensions import db
from models import LoginSession, RevokedToken
from models.types import utcnow

# The user, and the session only to know it exists and which refresh token it will take:
# two primary-key probes in one query.
_PRINCIPAL = user_and_session(LoginSession.id, *SESSION_COLUMNS)


class RedisBlocklist:
    def __init__(self, url: str, prefix: str = "jwt-api") -> None:
        # Short timeouts: an unreachable Redis must turn into a quick 503, not a hung worker.
        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.complete_key = f"{prefix}:revocations:complete"

    def _key(self, kind: str, value: str) -> str:
        return f"{self.prefix}:revoked:{kind}:{value}"

    def check(self, claims: dict[str, Any]) -> Check:
        keys = (self._key("jti", claims["jti"]), self._key("sid", claims["sid"]))
        pipe = self.redis.pipeline(transaction=False)
        pipe.exists(*keys)
        pipe.exists(self.complete_key)
        revoked, complete = pipe.execute()
        if not complete:
            self.refill()
            revoked = self.redis.exists(*keys)
        with db.engine.connect() as conn:
            row = conn.execute(_PRINCIPAL, params(claims)).first()
        if row is None:
            return Check(None, False, None)
        session_id, *session = after_user(row)
        # Redis says what is revoked; the database says whether the session exists at all.
        gone = session_id is None
        return Check(principal_of(row), bool(revoked) or gone, *session)

    def publish(self, jtis: Sequence[Revoked] = (), sids: Sequence[Revoked] = ()) -> None:
        # Each entry expires with the last token it refuses: nothing to purge. A jti's is
        # that token's own expiry. A session's refresh token lives until the session's
        # expiry, but an access token issued by its last login or refresh can outlive that
        # when access tokens are configured to live longer: a revoked session is refused
        # for at least one more access-token lifetime from now.
        now = utcnow()
        access_lifetime = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
        pipe = self.redis.pipeline(transaction=False)
        for entry in jtis:
            pipe.set(self._key("jti", entry.key), 1, exat=_epoch(entry.expires_at) + 1)
        for entry in sids:
            until = max(entry.expires_at, now + access_lifetime)
            pipe.set(self._key("sid", entry.key), 1, exat=_epoch(until) + 1)
        pipe.execute()

    def refill(self) -> None:
        """Copy every live revocation from the database, then mark Redis complete."""
        now = utcnow()
        # A session past its own expiry can still have a live access token.
        since = now - current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
        with db.engine.connect() as conn:
            sids = conn.execute(
                select(LoginSession.id, LoginSession.expires_at).where(
                    LoginSession.revoked_at.is_not(None), LoginSession.expires_at > since
                )
            ).all()
            jtis = conn.execute(
                select(RevokedToken.jti, RevokedToken.expires_at).where(
                    RevokedToken.expires_at > now
                )
            ).all()
        self.publish(
            jtis=[Revoked(jti, expires) for jti, expires in jtis],
            sids=[Revoked(sid, expires) for sid, expires in sids],
        )
        self.redis.set(self.complete_key, 1)


def _epoch(moment: datetime) -> int:
    return math.ceil(moment.timestamp())
