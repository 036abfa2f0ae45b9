"""Administration: lock and unlock accounts, end a user's sessions, grant or take away
admin rights. The API (resources/admin.py) and `flask users` both come here. Through the
API no admin locks or demotes themself, nor the last active admin (the command line is
the way back in, so it may).
"""

from sqlalchemy import func, select

from auth import sessions
from extensions import db
from models import LoginSession, User
from models.types import utcnow


class AdminRuleError(Exception):
    """The change would lock out the caller or the last admin; `code` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _check_may_remove_admin(target: User, actor_id: int | None) -> None:
    """Raise AdminRuleError when locking or demoting `target` is refused. The command
    line (no actor) may do anything: whoever runs it can also grant admin rights again."""
    if actor_id is None:
        return
    if target.id == actor_id:
        raise AdminRuleError("own_account", "An admin cannot lock or demote themself.")
    if not target.is_admin or target.locked:
        return
    # Every active admin's row is locked (PostgreSQL; in id order, so no deadlock) until
    # the commit: of two admins demoting each other at once, the second sees the first's
    # change and is refused. SQLite runs one writer at a time anyway.
    active = db.session.scalars(
        select(User.id)
        .where(User.is_admin.is_(True), User.locked_at.is_(None))
        .order_by(User.id)
        .with_for_update()
    ).all()
    if not set(active) - {target.id}:
        raise AdminRuleError("last_admin", "The last active admin cannot be locked or demoted.")


def lock(target: User, reason: str | None, *, actor_id: int | None) -> int:
    """Lock the account and end every session of it at once, in one transaction; returns
    how many sessions ended. Its tokens are refused from the next request on every worker
    and instance (the revocation check reads the lock too)."""
    _check_may_remove_admin(target, actor_id)
    if not target.locked:
        target.locked_at = utcnow()
    target.lock_reason = reason
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
    if not is_admin:
        _check_may_remove_admin(target, actor_id)
    target.is_admin = is_admin
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
