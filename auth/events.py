"""The security activity record: every event auth.sessions.log_event logs is also a row of
audit_events, written in the transaction of the change it records.

The contract for callers: log the event before the commit of its change. The row then
commits with the change, and a change rolled back (a failed commit, an error handler's
rollback) takes its event with it. An event that no commit follows (a failed login, a
refused code: the request ends in an abort) is written at the end of the request, in a
transaction of its own, after the request's unfinished work is rolled back; so callers
never need to do anything else. A request that ends in an unexpected exception keeps
nothing: what it was doing did not happen.
"""

from typing import Any, cast

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import Select, Table, event, insert, select
from sqlalchemy.orm import Session

from extensions import db
from models import AuditEvent
from models.audit_event import USER_AGENT_MAX_LENGTH
from models.types import utcnow

# Events from the request whose row is neither committed nor rolled back yet.
_PENDING = "audit_pending"
# Details are small by construction: a few ids, counts or a short reason.
DETAIL_KEYS = 10
DETAIL_TEXT = 200


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:DETAIL_TEXT]


def _small(details: dict[str, Any]) -> dict[str, Any] | None:
    """The details as JSON keeps them: scalars as they are, a list or tuple of scalars as
    a JSON list (of at most DETAIL_KEYS), anything else as short text. None when there are
    none: the column is then SQL NULL."""
    kept: dict[str, Any] = {}
    for key, value in list(details.items())[:DETAIL_KEYS]:
        if isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            kept[str(key)[:64]] = [_scalar(item) for item in list(items)[:DETAIL_KEYS]]
        else:
            kept[str(key)[:64]] = _scalar(value)
    return kept or None


def record(name: str, user_id: int | None, sid: str | None, details: dict[str, Any]) -> None:
    """Add the event's row to the current transaction (see the module's contract)."""
    values: dict[str, Any] = {
        "time": utcnow(),
        "event": name[:64],
        "user_id": user_id,
        "sid": sid,
        "details": _small(details),
        "ip": None,
        "user_agent": None,
    }
    if has_request_context():
        values["ip"] = request.remote_addr
        values["user_agent"] = (request.user_agent.string or None) and request.user_agent.string[
            :USER_AGENT_MAX_LENGTH
        ]
    db.session().info.setdefault(_PENDING, []).append(values)


@event.listens_for(Session, "before_commit")
def _committing(session: Session) -> None:
    # The rows go in with the commit, in its transaction: one Core INSERT of the values,
    # not ORM objects (a unit-of-work flush cost about as much as the refresh's own write).
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.execute(insert(cast(Table, AuditEvent.__table__)), pending)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    # The change these events recorded did not happen: neither did they.
    session.info.pop(_PENDING, None)


def _write_pending(error: BaseException | None) -> None:
    """At the end of a request: the events no commit followed, in their own transaction."""
    if "sqlalchemy" not in current_app.extensions or not db.session.registry.has():
        return  # no session in this context (GET /me checks on a bare connection)
    session = db.session()
    pending = session.info.pop(_PENDING, None)
    if not pending or error is not None:
        return
    # The request's unfinished work is not the events' to commit; and on SQLite its open
    # write would block the insert.
    session.rollback()
    session.execute(insert(AuditEvent), pending)
    session.commit()


def listing(filters: dict[str, Any]) -> Select:
    """Events, newest first, filtered by user_id, event (its name), since and until."""
    # By time: an event no commit followed is inserted when its request ends, after
    # events of other requests that happened later.
    stmt = select(AuditEvent).order_by(AuditEvent.time.desc(), AuditEvent.id.desc())
    if "user_id" in filters:
        stmt = stmt.where(AuditEvent.user_id == filters["user_id"])
    if "event" in filters:
        stmt = stmt.where(AuditEvent.event == filters["event"])
    if "since" in filters:
        stmt = stmt.where(AuditEvent.time >= filters["since"])
    if "until" in filters:
        stmt = stmt.where(AuditEvent.time < filters["until"])
    return stmt


def init_app(app: Flask) -> None:
    # teardown_appcontext runs in reverse order of registration: this one, registered after
    # db.init_app(), runs before Flask-SQLAlchemy removes the session.
    app.teardown_appcontext(_write_pending)
