"""The revocation store when REDIS_URL is set: the database answers every check, and
Redis keeps a mirror of the revocations (a TTL equal to what is left of each token's life).

The check is the database's one indexed statement (database.py), as without Redis: a
protected request needs the user and the session from the database anyway, and one round
trip there beats a Redis call followed by that query (measured: README, Performance). So
a Redis that restarted empty or is unreachable cannot let a revoked token through; an
unreachable Redis still fails every revocation write closed with a 503 (publish()).
"""

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import redis
from flask import current_app

from auth.revocation import Check, Revoked
from auth.revocation.database import DatabaseBlocklist
from models.types import utcnow


class RedisBlocklist:
    def __init__(self, url: str, prefix: str = "jwt-api") -> None:
        # Short timeouts: an unreachable Redis must turn into a quick 503, not a hung worker.
        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self._database = DatabaseBlocklist()

    def _key(self, kind: str, value: str) -> str:
        return f"{self.prefix}:revoked:{kind}:{value}"

    def check(self, claims: dict[str, Any]) -> Check:
        return self._database.check(claims)

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


def _epoch(moment: datetime) -> int:
    return math.ceil(moment.timestamp())
