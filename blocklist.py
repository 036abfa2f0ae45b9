"""Revocation: which tokens and sessions are refused, checked on every protected request.

The database is the source of truth: the sessions table for logins (a missing or revoked
session refuses all its tokens) and revoked_tokens for single tokens. A store answers the
check, and loads what the request needs of the user, in one round trip: the database
itself by default, or Redis (blocklist_redis.py) when REDIS_URL is set.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from flask import Flask, current_app
from sqlalchemy import Select, and_, bindparam, delete, exists, or_, select

from direct_query import DirectQuery
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


class Revoked(NamedTuple):
    key: str  # a jti or a sid
    expires_at: datetime  # after it, nothing the entry refuses is valid anyway


class Blocklist(Protocol):
    def check(self, claims: dict[str, Any]) -> Check: ...
    def publish(self, jtis: Sequence[Revoked] = (), sids: Sequence[Revoked] = ()) -> None:
        """Tell the store of revocations the database has (or is about to have)."""


_revoked = or_(
    LoginSession.id.is_(None),
    LoginSession.revoked_at.is_not(None),
    exists().where(RevokedToken.jti == bindparam("jti")),
)


def user_and_session(*columns: Any) -> Select:
    """The user by id and, if it is theirs, the session by id: primary-key probes only."""
    return (
        select(User.id, User.username, User.is_admin, User.created_at, *columns)
        .select_from(User)
        .outerjoin(
            LoginSession,
            and_(LoginSession.id == bindparam("sid"), LoginSession.user_id == User.id),
        )
        .where(User.id == bindparam("uid"))
    )


# One indexed probe per table (users.id, sessions.id, revoked_tokens.jti): flat cost
# however many rows there are. Core, not the ORM: no unit of work on the hot path.
CHECK = DirectQuery(user_and_session(_revoked.label("revoked"), LoginSession.refresh_jti))


def params(claims: dict[str, Any]) -> dict[str, Any]:
    return {"uid": int(claims["sub"]), "sid": claims["sid"], "jti": claims["jti"]}


def principal_of(row: tuple) -> Principal:
    """From a row that starts with user_and_session()'s user columns."""
    user_id, username, is_admin, created_at = row[:4]
    return Principal(user_id, username, bool(is_admin), created_at)


class DatabaseBlocklist:
    """Revocations read straight from the app's database: shared by every worker and
    instance on it, and kept across restarts."""

    def check(self, claims: dict[str, Any]) -> Check:
        row = CHECK.first(db.engine, params(claims))
        if row is None:
            return Check(None, False, None)
        revoked, refresh_jti = row[4:]
        return Check(principal_of(row), bool(revoked), refresh_jti)

    def publish(self, jtis: Sequence[Revoked] = (), sids: Sequence[Revoked] = ()) -> None:
        pass  # the database rows are all there is


def purge() -> int:
    """Delete what can no longer matter: rows past the expiry of every token they refuse.
    A purged session refuses its tokens all the same: a missing session is a revoked one."""
    now = utcnow()
    deleted = 0
    for model, column in (
        (RevokedToken, RevokedToken.expires_at),
        (LoginSession, LoginSession.expires_at),
    ):
        result = db.session.execute(delete(model).where(column < now))
        deleted += result.rowcount or 0  # type: ignore[attr-defined]
    db.session.commit()
    return deleted


def init_app(app: Flask) -> None:
    store: Blocklist
    if app.config["REDIS_URL"]:
        from blocklist_redis import RedisBlocklist

        store = RedisBlocklist(app.config["REDIS_URL"])
    else:
        store = DatabaseBlocklist()
    app.extensions["blocklist"] = store
    app.extensions["purge"] = {"last": 0.0}


def current_blocklist() -> Blocklist:
    blocklist: Blocklist = current_app.extensions["blocklist"]
    return blocklist
