"""Administration: lock and unlock accounts, end a user's sessions, grant or take away
admin rights; delete a user. The API (resources/admin.py, resources/users.py) and
`flask users` come here. Through the API no admin locks or demotes themself, and nobody
locks, demotes or deletes the last active admin (the command line is the way back in,
so it may lock or demote).
"""

from typing import Any

from sqlalchemy import Delete, Update, delete, exists, func, select, update
from sqlalchemy.orm import aliased

from auth import account_tokens, sessions
from extensions import db
from models import LoginSession, User
from models.types import utcnow


class AdminRuleError(Exception):
    """The change would lock out the caller or the last admin; `code` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _remove_admin_rights(target: User, actor_id: int | None, **values: Any) -> None:
    """Set `values` (a lock, or is_admin false) on `target`; raise AdminRuleError when that
    would lock out the actor or the last active admin. The command line (no actor) may do
    anything: whoever runs it can also grant admin rights again."""
    if actor_id is not None and target.id == actor_id:
        raise AdminRuleError("own_account", "An admin cannot lock or demote themself.")
    if actor_id is None or not target.is_admin or target.locked:
        target.update(values)
        return
    _unless_last_admin(target, update(User).values(**values))
    db.session.expire(target, list(values))


def delete_user(target: User, *, actor_id: int, sid: str | None) -> None:
    """Delete a user with their sessions: a token whose session row is gone is refused,
    which is the revocation. Never the last active admin, not even by themself (409
    last_admin), as for a lock or a demotion: nobody could administer the service then."""
    if target.is_admin and not target.locked:
        _unless_last_admin(target, delete(User))
    else:
        db.session.execute(delete(User).where(User.id == target.id))
    db.session.expunge(target)
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == target.id))
    sessions.log_event("user_deleted", target.id, sid, by=actor_id)
    db.session.commit()


def _unless_last_admin(target: User, statement: Update | Delete) -> None:
    """Run `statement` (an UPDATE or DELETE of users, taking away an active admin) on
    `target`'s row, unless it is the last active admin: then AdminRuleError last_admin."""
    # Two guards, one per backend, so that of two admins demoting each other at once only
    # one succeeds. PostgreSQL: every active admin's row is locked (in id order: no
    # deadlock) until the commit, and the second waits and then sees the first's change.
    # SQLite: the condition is evaluated by the statement itself, under its one write lock.
    db.session.scalars(
        select(User.id)
        .where(User.is_admin.is_(True), User.locked_at.is_(None))
        .order_by(User.id)
        .with_for_update()
    ).all()
    other = aliased(User)
    another_admin = exists().where(
        other.is_admin.is_(True), other.locked_at.is_(None), other.id != target.id
    )
    result = db.session.execute(
        statement.where(User.id == target.id, another_admin),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AdminRuleError(
            "last_admin", "The last active admin cannot be locked, demoted or deleted."
        )


def lock(target: User, reason: str | None, *, actor_id: int | None) -> int:
    """Lock the account and end every session of it at once, in one transaction; returns
    how many sessions ended. Its tokens are refused from the next request on every worker
    and instance (the revocation check reads the lock too)."""
    locked_at = target.locked_at or utcnow()
    _remove_admin_rights(target, actor_id, locked_at=locked_at, lock_reason=reason)
    # A login waiting for its second factor ends too (and sessions.start() refuses one
    # that gets past this).
    account_tokens.void(target.id, account_tokens.MFA_LOGIN)
    return sessions.revoke(
        target.id, event="account_locked", event_sid=None, by=actor_id, reason=reason
    )


def unlock(target: User, *, actor_id: int | None) -> None:
    if not target.locked:
        return  # nothing happened: no event
    target.locked_at = None
    target.lock_reason = None
    sessions.log_event("account_unlocked", target.id, None, by=actor_id)
    db.session.commit()


def end_sessions(target: User, *, actor_id: int | None) -> int:
    return sessions.revoke(target.id, event="admin_logout", by=actor_id)


def set_admin(target: User, is_admin: bool, *, actor_id: int | None) -> None:
    """Grant or take away admin rights; applied from the user's next request (every admin
    check reads the column, never the token's copy of it)."""
    if target.is_admin == is_admin:
        return
    if is_admin:
        target.is_admin = True
    else:
        _remove_admin_rights(target, actor_id, is_admin=False)
    sessions.log_event(
        "admin_granted" if is_admin else "admin_revoked", target.id, None, by=actor_id
    )
    db.session.commit()


def active_sessions(user_ids: list[int]) -> dict[int, int]:
    """How many live sessions each of these users has (absent: none)."""
    rows = db.session.execute(
        select(LoginSession.user_id, func.count())
        .where(
            LoginSession.user_id.in_(user_ids),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > utcnow(),
        )
        .group_by(LoginSession.user_id)
    )
    return {user_id: count for user_id, count in rows}
