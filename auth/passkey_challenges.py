"""The challenges of passkey ceremonies under way: kept in the database (shared by every
worker and instance, never process memory), stored only as their SHA-256, bound to one
ceremony and a registration's to its user, short-lived, and spent once.

A challenge is found again by what the client sends back: the challenge inside the signed
clientDataJSON. It is spent by one DELETE ... RETURNING, committed before anything is
verified, so that of two requests with one challenge at most one goes on, and a failed
attempt spends it too.
"""

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from webauthn.helpers import base64url_to_bytes, parse_client_data_json

from extensions import db
from models import PasskeyChallenge
from models.types import utcnow

REGISTER, LOGIN, REAUTH = "register", "login", "reauth"
# Long enough to find a security key and touch it; the browser's timeout says the same.
LIFETIME = timedelta(minutes=5)
TIMEOUT_MS = int(LIFETIME.total_seconds() * 1000)
PURGE_BATCH = 100


def read(credential: Any) -> bytes | None:
    """The challenge a credential answers, from its clientDataJSON; None if it has none
    readable. (Signed data: a forged one only fails verification later.)"""
    try:
        client_data = base64url_to_bytes(credential["response"]["clientDataJSON"])
        return parse_client_data_json(client_data).challenge or None
    except Exception:  # noqa: BLE001  any shape at all may arrive here
        return None


def keep(challenge: bytes, purpose: str, user_id: int | None, handle: bytes | None) -> None:
    """Remember a challenge just handed out (committed: the next request may reach
    another worker)."""
    now = utcnow()
    _purge_some(now)
    db.session.add(
        PasskeyChallenge(
            challenge_hash=_digest(challenge),
            purpose=purpose,
            user_id=user_id,
            user_handle=handle,
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    db.session.commit()


def spend(challenge: bytes, purpose: str, user_id: int | None) -> bytes | None:
    """Delete the live challenge of this ceremony (and user); what it carried (the user
    handle for REGISTER, b"" for LOGIN), or None when there was none. Committed at once: a
    failure after this does not give the challenge back."""
    owner = PasskeyChallenge.user_id
    row = db.session.execute(
        delete(PasskeyChallenge)
        .where(
            PasskeyChallenge.challenge_hash == _digest(challenge),
            PasskeyChallenge.purpose == purpose,
            PasskeyChallenge.expires_at > utcnow(),
            owner.is_(None) if user_id is None else owner == user_id,
        )
        .returning(PasskeyChallenge.user_handle)
    ).first()
    db.session.commit()
    if row is None:
        return None
    return row[0] or b""


def forget_user(user_id: int) -> None:
    """Drop the user's ceremonies under way; the caller commits."""
    db.session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.user_id == user_id))


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _purge_some(now: Any) -> None:
    # Expired ceremonies go as new ones start: the table stays bounded without a cron job.
    # Rows another transaction is deleting are skipped (PostgreSQL), so concurrent purges
    # never wait on or deadlock with each other.
    expired = (
        select(PasskeyChallenge.id)
        .where(PasskeyChallenge.expires_at <= now)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.id.in_(expired)))
