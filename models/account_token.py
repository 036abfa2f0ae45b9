"""The account_tokens table: single-use links for e-mail verification and password reset."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow


class AccountToken(Model):
    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the token, hex: the token itself is only ever in the message sent.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "verify_email", "reset_password" or "mfa_login": a token does nothing for another purpose.
    purpose: Mapped[str] = mapped_column(String(20))
    # For verify_email: the address the link confirms (the current one, or a new one).
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Set when used, or when a newer token or a password change made it void.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Answers given with it (the codes sent with an mfa_login token), counted before each
    # is checked: at the limit it takes no more (auth/account_tokens.py count_attempt).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
