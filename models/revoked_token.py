"""The revoked_tokens table: single tokens refused before their expiry."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime


class RevokedToken(Model):
    __tablename__ = "revoked_tokens"

    # Keyed by jti: the lookup stays one index probe however many rows there are.
    jti: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The token's own expiry: after it the row is useless and is purged.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
