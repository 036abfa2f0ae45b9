"""The rate_limit_counters table: Flask-Limiter's counters when there is no Redis."""

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model


class RateLimitCounter(Model):
    __tablename__ = "rate_limit_counters"

    # Flask-Limiter's key (limit, scope and the hashed account or address), bounded.
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch when the window ends; a later hit starts a new window.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
