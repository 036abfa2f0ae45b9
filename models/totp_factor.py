"""The totp_factors table: a user's TOTP secret (RFC 6238), pending until confirmed."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Exists, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow


class TotpFactor(Model):
    __tablename__ = "totp_factors"

    # One per user: setting up again replaces a pending secret, never an active one.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Base32, as authenticator apps take it. Kept readable: verifying a code needs it.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # NULL: pending (shown to the user, not yet proven by a code); login does not ask for it.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step (Unix time // 30) of the last code accepted: that code, and any of an
    # earlier step, is refused from then on (RFC 6238 §5.2, no replay).
    last_step: Mapped[int | None] = mapped_column(BigInteger)


def confirmed_for(user_id: Any) -> Exists:
    """Whether the user (an id, or a column such as users.id, correlated) has a confirmed
    secret, that is TOTP is active and login asks for a code: as SQL."""
    return (
        select(TotpFactor.user_id)
        .where(TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None))
        .exists()
    )
