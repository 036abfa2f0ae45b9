"""The audit_events table: the security activity record, one row per security event."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow

USER_AGENT_MAX_LENGTH = 255


class AuditEvent(Model):
    __tablename__ = "audit_events"
    # Newest first, for everyone or for one user: both listings read an index backwards.
    __table_args__ = (
        Index("ix_audit_events_user_id_time", "user_id", "time"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(64), index=True)
    # No foreign key, on purpose: a deleted user's events stay (with their id, never
    # reused) until the retention purge, so that an admin can still see what happened.
    user_id: Mapped[int | None] = mapped_column(Integer)
    sid: Mapped[str | None] = mapped_column(String(36))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX_LENGTH))
    # A few small values (counts, ids, a reason): never a token, password or secret.
    # No details: SQL NULL, not the JSON text 'null' (JSON's default for None).
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
