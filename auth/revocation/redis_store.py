"""The revocation store when REDIS_URL is set: the database answers every check, and
Redis keeps a mirror of the revocations (a TTL equal to what is left of each token's life).

The check is the database's one indexed statement (database.py), as without Redis: a
protected request needs the user and the session from the database anyway, and one round
trip there beats a Redis call followed by that query (measured: README, Performance). So
a Redis that restarted empty or is unreachable cannot let a revoked token through; an
unreachable Redis still fails every revocation write closed with a 503 (publish()).
"""

from collections.abc import Sequence
from typing import Any

import redis

from auth.revocation import Check, Revoked
from auth.revocation.database import DatabaseBlocklist


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
        pipe = self.redis.pipeline(transaction=False)
        for kind, entries in (("jti", jtis), ("sid", sids)):
            for entry in entries:
                # Expires with the last token the entry refuses: nothing to purge.
                pipe.set(self._key(kind, entry.key), 1, exat=int(entry.expires_at.timestamp()) + 1)
        pipe.execute()
