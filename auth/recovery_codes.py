"""Recovery codes: ten single-use codes, for when the authenticator is lost.

Each code is 128 random bits, shown once as 32 hex digits in four groups, and stored as
SHA-256 of the user's id and the code. A fast hash is enough here, unlike for passwords:
a slow hash only helps against guessing low-entropy secrets, and 2^128 candidates
cannot be tried at any speed, so a leaked table yields no usable code. The user's id in
the hash keeps one account's code from ever matching another's row.
"""

import hashlib
import secrets

from sqlalchemy import delete, func, select, update

from extensions import db
from models import RecoveryCode
from models.types import utcnow

COUNT = 10
CODE_BYTES = 16
MAX_LENGTH = 64  # characters a presented code may have, separators and spaces included


def _normalize(code: str) -> str:
    return "".join(c for c in code.lower() if c not in "- \t")


def _digest(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{_normalize(code)}".encode()).hexdigest()


def _new_code() -> str:
    raw = secrets.token_hex(CODE_BYTES)
    return "-".join(raw[i : i + 8] for i in range(0, len(raw), 8))


def replace(user_id: int) -> list[str]:
    """A new set of codes for the user, returned once; the old ones stop working. The
    caller commits."""
    remove(user_id)
    codes = [_new_code() for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=_digest(user_id, c)) for c in codes)
    return codes


def find(user_id: int, code: str) -> int | None:
    """The id of the user's unused code `code`, if it is one. Reads only."""
    if not code or len(code) > MAX_LENGTH:
        return None
    return db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _digest(user_id, code),
            RecoveryCode.used_at.is_(None),
        )
    )


def spend(user_id: int, code_id: int) -> bool:
    """Use a code up: True once per code. One compare-and-swap UPDATE, so that two
    requests with one code cannot both succeed. The caller commits."""
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.id == code_id,
            RecoveryCode.user_id == user_id,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def remaining(user_id: int) -> int:
    count = db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
    )
    return count or 0


def remove(user_id: int) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
