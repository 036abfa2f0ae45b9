"""The sessions table: one row per login, the source of truth for session revocation."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow


class LoginSession(Model):
    __tablename__ = "sessions"

    # The `sid` claim of every token the login and its refreshes yield.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the current refresh token expires; past it, nothing of the session is valid.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip: Mapped[str | None] = mapped_column(String(45))
    # The jti of the one refresh token that may still be spent; any other is a replay.
    refresh_jti: Mapped[str] = mapped_column(String(36))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The refresh token the last rotation replaced, and when: within
    # JWT_REFRESH_REUSE_INTERVAL it may be presented again (tabs refreshing together).
    previous_refresh_jti: Mapped[str | None] = mapped_column(String(36))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
