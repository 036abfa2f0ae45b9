"""Revocation: which tokens and sessions are refused, checked on every protected request.

The sessions table is the source of truth for logins (a missing or revoked session
refuses all its tokens); single tokens are refused by jti. The store answers both, and
loads what the request needs of the user, in one round trip.
"""

import time
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from flask import Flask, current_app
from sqlalchemy import and_, bindparam, delete, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models import LoginSession, RevokedToken, User
from models.types import utcnow


class Principal(NamedTuple):
    """What a request knows of its caller: a read-only snapshot, not an ORM object."""

    id: int
    username: str
    is_admin: bool
    created_at: datetime


class Check(NamedTuple):
    principal: Principal | None  # None: the user does not exist (any more)
    revoked: bool
    refresh_jti: str | None  # the session's one spendable refresh token


class Blocklist(Protocol):
    def check(self, claims: dict[str, Any]) -> Check: ...
    def revoke_token(self, jti: str, expires_at: datetime) -> None: ...
    def purge(self) -> int: ...


_revoked = or_(
    LoginSession.id.is_(None),
    LoginSession.revoked_at.is_not(None),
    exists().where(RevokedToken.jti == bindparam("jti")),
)
# One indexed probe per table (users.id, sessions.id, revoked_tokens.jti): flat cost
# however many rows there are. Core, not the ORM: no unit of work on the hot path.
_CHECK = (
    select(
        User.id,
        User.username,
        User.is_admin,
        User.created_at,
        _revoked.label("revoked"),
        LoginSession.refresh_jti,
    )
    .select_from(User)
    .outerjoin(
        LoginSession,
        and_(LoginSession.id == bindparam("sid"), LoginSession.user_id == User.id),
    )
    .where(User.id == bindparam("uid"))
)


class DatabaseBlocklist:
    """Revocations in the app's database: they survive restarts and every worker shares them."""

    def __init__(self, purge_interval: float) -> None:
        self.purge_interval = purge_interval
        self._last_purge = 0.0

    def check(self, claims: dict[str, Any]) -> Check:
        params = {"uid": int(claims["sub"]), "sid": claims["sid"], "jti": claims["jti"]}
        with db.engine.connect() as conn:
            row = conn.execute(_CHECK, params).first()
        if row is None:
            return Check(None, False, None)
        principal = Principal(row.id, row.username, bool(row.is_admin), row.created_at)
        return Check(principal, bool(row.revoked), row.refresh_jti)

    def revoke_token(self, jti: str, expires_at: datetime) -> None:
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(RevokedToken).values(jti=jti, expires_at=expires_at)
        db.session.execute(stmt.on_conflict_do_nothing(index_elements=["jti"]))
        db.session.commit()
        self._purge_now_and_then()

    def purge(self) -> int:
        """Delete what can no longer matter: rows past the expiry of every token they refuse."""
        now = utcnow()
        deleted = 0
        for table, column in (
            (RevokedToken, RevokedToken.expires_at),
            (LoginSession, LoginSession.expires_at),
        ):
            result = db.session.execute(delete(table).where(column < now))
            deleted += result.rowcount or 0  # type: ignore[attr-defined]
        db.session.commit()
        self._last_purge = time.monotonic()
        return deleted

    def _purge_now_and_then(self) -> None:
        # Keeps the tables bounded without a cron job; a deleted session is refused anyway.
        if time.monotonic() - self._last_purge > self.purge_interval:
            self.purge()


def init_app(app: Flask) -> None:
    app.extensions["blocklist"] = DatabaseBlocklist(app.config["PURGE_INTERVAL_SECONDS"])


def current_blocklist() -> Blocklist:
    blocklist: Blocklist = current_app.extensions["blocklist"]
    return blocklist
