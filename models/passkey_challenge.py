"""The passkey_challenges table: the challenges of WebAuthn ceremonies under way, kept in
the database so that every worker and instance shares them and each is spent once."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.passkey import MAX_USER_HANDLE
from models.types import UTCDateTime, utcnow


class PasskeyChallenge(Model):
    __tablename__ = "passkey_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the challenge, hex: the client sends the challenge back inside the signed
    # clientDataJSON, which is how its row is found (the challenge itself is not stored).
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "register", "login" or "reauth": a challenge does nothing in another ceremony.
    purpose: Mapped[str] = mapped_column(String(10))
    # register: the user adding a passkey, and the user handle offered to the
    # authenticator; reauth: the user proving it is them again.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    user_handle: Mapped[bytes | None] = mapped_column(LargeBinary(MAX_USER_HANDLE))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
