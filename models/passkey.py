"""The passkeys table: WebAuthn credentials, each a public key its user's authenticator
holds the private half of."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, ScalarSelect, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow

# WebAuthn §5.8.3: a credential id is at most 1,023 bytes; a user handle at most 64.
MAX_CREDENTIAL_ID = 1023
MAX_USER_HANDLE = 64


class Passkey(Model):
    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(MAX_CREDENTIAL_ID), unique=True)
    # The COSE key as the authenticator gave it at registration.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The user handle the credential was created with: an assertion naming another is
    # refused. Random, one per user, never the id or the name (WebAuthn §14.6.1).
    user_handle: Mapped[bytes] = mapped_column(LargeBinary(MAX_USER_HANDLE))
    # The authenticator's signature counter (uint32); 0 for authenticators that keep none.
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # Hints for the browser ("internal", "usb", "hybrid"...), as the authenticator said.
    transports: Mapped[list[str]] = mapped_column(JSON, default=list)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when its counter went backwards (a cloned authenticator, WebAuthn §6.1.1): it
    # signs nobody in again; its owner removes it and registers the authenticator anew.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


def count_for(user_id: Any) -> ScalarSelect[int]:
    """How many passkeys the user (an id, or a column such as users.id, correlated) has,
    locked ones included: as SQL."""
    return select(func.count(Passkey.id)).where(Passkey.user_id == user_id).scalar_subquery()
