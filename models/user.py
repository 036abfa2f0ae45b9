"""The users table."""

from datetime import datetime

from sqlalchemy import Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow


class User(Model):
    __tablename__ = "users"
    # AUTOINCREMENT: SQLite would otherwise hand a deleted user's id, and so their
    # still-valid tokens, to the next user who registers.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    # The canonical username (auth.accounts.username_key): "Alice" and "alice" are one.
    username_key: Mapped[str] = mapped_column(String(80), unique=True)
    # What the name looks like (auth.accounts.username_skeleton): names that render alike
    # are one account's. None only for rows older than the rule that shared one.
    username_skeleton: Mapped[str | None] = mapped_column(String(320), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # The address in the form it is compared in (auth.accounts.email_key): one account per
    # address. NULL for no address (SQL's unique constraints ignore NULLs).
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True)
    # When the current address was confirmed by a link sent to it; NULL: not (yet).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Locked by an admin: no login, and every token refused (auth/admin.py).
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_reason: Mapped[str | None] = mapped_column(String(200))

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None
