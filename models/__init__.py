"""Every table, so that importing `models` lets Alembic see them all."""

from models.login_session import LoginSession
from models.revoked_token import RevokedToken
from models.user import User

__all__ = ["LoginSession", "RevokedToken", "User"]
