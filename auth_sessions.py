"""Login sessions: start, rotate the refresh token, revoke; each event logged once."""

import json
import logging
import uuid
from datetime import datetime
from typing import Any

from flask import current_app, request
from sqlalchemy import update

from blocklist import current_blocklist
from extensions import db
from models import LoginSession
from models.types import utcnow

log = logging.getLogger("auth.sessions")


def new_id() -> str:
    return str(uuid.uuid4())


def start(user_id: int) -> LoginSession:
    """A new session for a login that just succeeded; the caller commits."""
    now = utcnow()
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
    return session


def rotate(sid: str, presented_jti: str) -> str | None:
    """Swap the session's refresh token for a new one; None when another request won.

    One compare-and-swap UPDATE: of concurrent refreshes with one token exactly one
    matches the row, and none can raise an IntegrityError.
    """
    now = utcnow()
    new_jti = new_id()
    result = db.session.execute(
        update(LoginSession)
        .where(
            LoginSession.id == sid,
            LoginSession.refresh_jti == presented_jti,
            LoginSession.revoked_at.is_(None),
        )
        .values(
            refresh_jti=new_jti,
            last_used_at=now,
            expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
        )
    )
    db.session.commit()
    return new_jti if result.rowcount == 1 else None  # type: ignore[attr-defined]


def revoke(user_id: int, *, sid: str | None = None, keep: str | None = None) -> int:
    """Revoke one session of the user (sid), or all of them but `keep`; returns how many."""
    stmt = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
    )
    if sid is not None:
        stmt = stmt.where(LoginSession.id == sid)
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    result = db.session.execute(stmt.values(revoked_at=utcnow()))
    db.session.commit()
    return result.rowcount or 0  # type: ignore[attr-defined]


def revoke_token(claims: dict[str, Any]) -> None:
    expires_at = datetime.fromtimestamp(claims["exp"], tz=utcnow().tzinfo)
    current_blocklist().revoke_token(claims["jti"], expires_at)


def log_event(event: str, user_id: int | None, sid: str | None, **extra: Any) -> None:
    """One structured line per session event; never a token or a password."""
    record = {"event": event, "user_id": user_id, "sid": sid, "ip": request.remote_addr, **extra}
    log.info(json.dumps(record, sort_keys=True))
