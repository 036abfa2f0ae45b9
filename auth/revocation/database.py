"""The revocation store: the app's own database, shared by every worker and instance on
it, and kept across restarts."""

from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, bindparam, delete, exists, or_

from auth.revocation import (
    SESSION_COLUMNS,
    Check,
    after_user,
    params,
    principal_of,
    user_and_session,
)
from extensions import db
from models import AccountToken, AuditEvent, LoginSession, RevokedToken, User
from models.types import utcnow

_revoked = or_(
    LoginSession.id.is_(None),
    LoginSession.revoked_at.is_not(None),
    # A locked account's sessions were all revoked when it was locked; this refuses any
    # that a login racing the lock could have started, at no extra cost (the row is read).
    User.locked_at.is_not(None),
    exists().where(RevokedToken.jti == bindparam("jti")),
)

# One indexed probe per table (users.id, sessions.id, revoked_tokens.jti): flat cost
# however many rows there are. Core on a pooled Connection, not the ORM session: no unit
# of work on the hot path, and SQLAlchemy caches the compiled statement.
CHECK = user_and_session(_revoked.label("revoked"), *SESSION_COLUMNS)


# On PostgreSQL the check runs on an engine of its own in autocommit: a lone SELECT needs
# no transaction, and psycopg would otherwise send BEGIN before it and ROLLBACK when the
# connection goes back to the pool: three round trips instead of one (about 2.5 times
# slower, measured: README, Performance). SQLite sends neither for a SELECT.
CHECK_BIND = "revocation_check"


def add_check_engine(app: Flask) -> None:
    """Before db.init_app(): declare the check's engine as a Flask-SQLAlchemy bind, so that
    it is made, pooled and disposed like the app's own (it holds no tables)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        binds = app.config.setdefault("SQLALCHEMY_BINDS", {})
        binds[CHECK_BIND] = {"url": url, "isolation_level": "AUTOCOMMIT"}


def _check_engine() -> Engine:
    engines = db.engines
    return engines.get(CHECK_BIND) or engines[None]


class DatabaseBlocklist:
    def check(self, claims: dict[str, Any]) -> Check:
        with _check_engine().connect() as conn:
            row = conn.execute(CHECK, params(claims)).first()
        if row is None:
            return Check(None, False, None)
        revoked, *session = after_user(row)
        return Check(principal_of(row), bool(revoked), *session)


def purge() -> int:
    """Delete what can no longer matter: rows past the expiry of every token they refuse.
    A purged session refuses its tokens all the same: a missing session is a revoked one.
    Security events go once older than AUDIT_RETENTION_DAYS."""
    now = utcnow()
    retention = timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])
    deleted = 0
    for model, column, cutoff in (
        (RevokedToken, RevokedToken.expires_at, now),
        (LoginSession, LoginSession.expires_at, now),
        (AccountToken, AccountToken.expires_at, now),  # recovery links: useless once expired
        (AuditEvent, AuditEvent.time, now - retention),
    ):
        result = db.session.execute(delete(model).where(column < cutoff))
        deleted += result.rowcount or 0  # type: ignore[attr-defined]
    db.session.commit()
    return deleted
