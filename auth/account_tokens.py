"""Single-use account tokens: the secret in an e-mail verification or password reset link.

A token is 256 random bits (at least 128: OWASP ASVS 2.5.1, NIST SP 800-63B §5.1.1.2),
URL-safe, stored only as its SHA-256 (a leaked table holds no usable link), bound to one
user and one purpose, short-lived, and spent by one compare-and-swap UPDATE, so that two
requests with one token cannot both succeed. Issuing a token voids the user's older ones
of the same purpose: a newer link never revives an older one.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select, update

from extensions import db
from models import AccountToken
from models.types import utcnow

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"
MFA_LOGIN = "mfa_login"  # a password that was right, waiting for the second factor
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128  # characters: anything longer is no token of ours, refused unhashed


class Redeemed(NamedTuple):
    user_id: int
    email: str | None  # for VERIFY_EMAIL: the address the link confirms


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(user_id: int, purpose: str, lifetime: timedelta, email: str | None = None) -> str:
    """A new token (returned once, never stored); the caller commits."""
    void(user_id, purpose)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    db.session.add(
        AccountToken(
            token_hash=_digest(token),
            user_id=user_id,
            purpose=purpose,
            email=email,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def issued_since(user_id: int, purpose: str, window: timedelta) -> int:
    """How many tokens of this purpose the user was sent in the last `window`."""
    count = db.session.scalar(
        select(func.count(AccountToken.id)).where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.created_at > utcnow() - window,
        )
    )
    return count or 0


def _live(token: str, purpose: str) -> tuple[ColumnElement[bool], ...]:
    """The one rule of a live token: this one, of this purpose, unused and unexpired."""
    return (
        AccountToken.token_hash == _digest(token),
        AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > utcnow(),
    )


def peek(token: str, purpose: str) -> Redeemed | None:
    """Who a live token of this purpose is for, without spending it; None if it is unknown,
    used, expired or of another purpose."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.execute(
        select(AccountToken.user_id, AccountToken.email).where(*_live(token, purpose))
    ).first()
    return Redeemed(*row) if row else None


def redeem(token: str, purpose: str) -> Redeemed | None:
    """Spend a live token of this purpose; None if it is not one (then nothing changes, a
    token of another purpose included). The caller commits."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.execute(
        update(AccountToken)
        .where(*_live(token, purpose))
        .values(used_at=utcnow())
        .returning(AccountToken.user_id, AccountToken.email)
    ).first()
    return Redeemed(*row) if row else None


def void(user_id: int, purpose: str) -> None:
    """Spend every live token of the user for this purpose; the caller commits."""
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


def count_attempt(token: str, purpose: str, limit: int) -> bool:
    """Count one more answer given with a live token of this purpose (an mfa_login's
    code): False, and nothing counted, when it is not live or has had `limit` answers.
    Counted before the answer is checked, in one UPDATE, so that answers sent at once
    cannot get past the limit. The caller commits."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    result = db.session.execute(
        update(AccountToken)
        .where(*_live(token, purpose), AccountToken.attempts < limit)
        .values(attempts=AccountToken.attempts + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
