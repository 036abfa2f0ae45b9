"""A `limits` storage on the app's own database, for Flask-Limiter without Redis.

Process memory would give each gunicorn worker its own counters, wiped when the worker
dies, so N workers would grant N times each limit. A row per counter in the database is
shared by every worker and instance on it and survives restarts. Only the fixed-window
strategy is supported (Flask-Limiter's default): one upsert per hit.
"""

import hashlib
import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from models import RateLimitCounter

_PURGE_EVERY = 600.0  # seconds between deletions of ended windows, per process
MAX_KEY = 255


class DatabaseStorage(Storage):
    """`appdb://`: counters in the rate_limit_counters table of the current app."""

    STORAGE_SCHEME = ["appdb"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self._purged = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        counter = RateLimitCounter
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        ended = counter.expires_at <= now
        # One atomic statement: concurrent hits from several workers never lose a count.
        stmt = (
            insert(counter)
            .values(key=_bounded(key), count=max(amount, 0), expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={
                    # A give-back (amount -1) after the window ended leaves a new one empty.
                    "count": case((ended, max(amount, 0)), else_=counter.count + amount),
                    "expires_at": case((ended, now + expiry), else_=counter.expires_at),
                },
            )
            .returning(counter.count)
        )
        with db.engine.begin() as conn:
            count = conn.execute(stmt).scalar_one()
            if now - self._purged > _PURGE_EVERY:
                self._purged = now
                conn.execute(delete(counter).where(ended))
        return int(count)

    def _row(self, key: str) -> tuple[int, float] | None:
        stmt = select(RateLimitCounter.count, RateLimitCounter.expires_at).where(
            RateLimitCounter.key == _bounded(key), RateLimitCounter.expires_at > time.time()
        )
        with db.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else (row[0], row[1])

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as conn:
            return conn.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(RateLimitCounter).where(RateLimitCounter.key == _bounded(key)))


def _bounded(key: str) -> str:
    # Flask-Limiter's keys hold the hashed account or the address, so this is a safety net.
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
