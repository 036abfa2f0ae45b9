"""Login sessions: start, rotate the refresh token, revoke; each event logged once."""

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import current_app, request
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from auth import events
from auth.revocation import Check
from auth.revocation.database import purge
from extensions import db
from models import LoginSession, RevokedToken, User
from models.types import utcnow
from web import audit
from web.api import abort


def new_id() -> str:
    return str(uuid.uuid4())


def start(user_id: int) -> LoginSession:
    """A new session for a login that just succeeded; the caller commits. The one place
    that refuses a session to a locked account: 403 account_locked (logged as
    login_failed), whichever way the login came (password, second factor, passkey).

    The lock is read after the session's row is written, in the same transaction, so a
    lock committed meanwhile cannot miss it: either the lock's revocation (which updates
    the user's row first, then ends its sessions) sees this session, or this read sees
    the lock. PostgreSQL: the user's row, updated here, is locked until the commit;
    SQLite: the write lock is held from the first write to the commit.
    """
    now = utcnow()
    user = db.session.get(User, user_id)  # the caller's, from the identity map
    if user is not None:
        user.last_login_at = now
    session = LoginSession(
        id=new_id(),
        user_id=user_id,
        created_at=now,
        last_used_at=now,
        expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
        user_agent=(request.user_agent.string or None) and request.user_agent.string[:255],
        ip=request.remote_addr,
        refresh_jti=new_id(),
    )
    db.session.add(session)
    db.session.flush()
    if db.session.scalar(select(User.locked_at).where(User.id == user_id)) is not None:
        db.session.rollback()  # no session, and no last login
        log_event("login_failed", user_id, None, reason="account_locked")
        abort(403, "This account is locked; contact an administrator.", error="account_locked")
    return session


# Built once, so SQLAlchemy reuses its compiled form; on the table, since no ORM object of
# the session is loaded on the refresh path (the check reads it with Core), so the ORM's
# bulk-update bookkeeping would only add work to the one write every refresh makes.
_sessions = cast(Table, LoginSession.__table__)
_ROTATE = (
    update(_sessions)
    .where(
        _sessions.c.id == bindparam("sid"),
        _sessions.c.refresh_jti == bindparam("presented"),
        _sessions.c.revoked_at.is_(None),
    )
    .values(
        refresh_jti=bindparam("new_jti"),
        previous_refresh_jti=bindparam("presented"),
        rotated_at=bindparam("now"),
        last_used_at=bindparam("now"),
        expires_at=bindparam("new_expiry"),
    )
)


def rotate(sid: str, presented_jti: str) -> str | None:
    """Swap the session's refresh token for a new one; None when another request won.
    The caller logs the refresh and commits.

    One compare-and-swap UPDATE: of concurrent refreshes with one token exactly one
    matches the row, and none can raise an IntegrityError.
    """
    now = utcnow()
    new_jti = new_id()
    result = db.session.execute(
        _ROTATE,
        {
            "sid": sid,
            "presented": presented_jti,
            "new_jti": new_jti,
            "now": now,
            "new_expiry": now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
        },
    )
    return new_jti if result.rowcount == 1 else None  # type: ignore[attr-defined]


def is_spent(claims: dict[str, Any], check: Check) -> bool:
    """A refresh token other than its session's one spendable refresh token: rotated away
    already, so presenting it again is a replay."""
    return claims["type"] == "refresh" and claims["jti"] != check.refresh_jti


def in_reuse_interval(claims: dict[str, Any], check: Check) -> bool:
    """The refresh token the session's last rotation replaced, presented again within
    JWT_REFRESH_REUSE_INTERVAL seconds of it: browser tabs refreshing at once, not a thief
    (the grace Auth0, Okta and Ory Hydra call a reuse interval). Never an older token."""
    interval = current_app.config["JWT_REFRESH_REUSE_INTERVAL"]
    return (
        interval > 0
        and claims["type"] == "refresh"
        and check.previous_refresh_jti == claims["jti"]
        and check.rotated_at is not None
        and utcnow() - check.rotated_at <= timedelta(seconds=interval)
    )


def current_refresh_jti(sid: str, presented_jti: str) -> str | None:
    """For a refresh token in the reuse interval: the session's current refresh id, which
    its answer carries (nothing rotates again); None when it is no longer in it."""
    interval = timedelta(seconds=current_app.config["JWT_REFRESH_REUSE_INTERVAL"])
    return db.session.scalar(
        select(LoginSession.refresh_jti).where(
            LoginSession.id == sid,
            LoginSession.previous_refresh_jti == presented_jti,
            LoginSession.rotated_at >= utcnow() - interval,
            LoginSession.revoked_at.is_(None),
        )
    )


def reuse_detected(user_id: int, sid: str) -> None:
    """A spent refresh token came back: it was stolen or replayed. Whoever holds the
    session's newer tokens cannot be told apart from the thief, so all of it ends
    (OAuth 2.0 Security BCP, RFC 9700 §4.14.2)."""
    revoke(user_id, sid=sid, event="reuse_detected", event_sid=sid)


def revoke(
    user_id: int,
    *,
    sid: str | None = None,
    keep: str | None = None,
    event: str | None = None,
    event_sid: str | None = None,
    **details: Any,
) -> int:
    """Revoke one session of the user (sid), or all of them but `keep`, and commit (with
    whatever the caller changed before); returns how many. With `event`, that event is
    logged for the user in the same transaction, with the count as `sessions`."""
    stmt = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
    )
    if sid is not None:
        stmt = stmt.where(LoginSession.id == sid)
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    result = db.session.execute(stmt.values(revoked_at=utcnow()))
    revoked: int = result.rowcount  # type: ignore[attr-defined]
    if event is not None:
        log_event(event, user_id, event_sid, sessions=revoked, **details)
    db.session.commit()
    return revoked


def revoke_token(claims: dict[str, Any]) -> None:
    _purge_now_and_then()
    expires_at = datetime.fromtimestamp(claims["exp"], tz=UTC)
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(RevokedToken).values(jti=claims["jti"], expires_at=expires_at)
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["jti"]))
    db.session.commit()


def _purge_now_and_then() -> None:
    # Keeps the tables bounded without a cron job.
    state = current_app.extensions["purge"]
    if time.monotonic() - state["last"] > current_app.config["PURGE_INTERVAL_SECONDS"]:
        purge()
        state["last"] = time.monotonic()


def log_event(event: str, user_id: int | None, sid: str | None, **extra: Any) -> None:
    """One security event: a log line, a count in /metrics, and a row of audit_events
    (auth/events.py); never a token, a password or a secret in `extra`.

    Call it BEFORE the commit of the change it records: the row commits with the change,
    and a rolled-back change leaves no event. An event no commit follows (a failure
    answered with an abort) is written when the request ends. So a failure's event is
    logged after any rollback of the request's work, never before one. The names are
    listed in the README (Administration)."""
    audit.event(event, user_id, sid, **extra)
    events.record(event, user_id, sid, extra)
