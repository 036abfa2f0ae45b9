"""Every table, so that importing `models` lets Alembic see them all."""

from models.account_token import AccountToken
from models.audit_event import AuditEvent
from models.item import Item, items_tags
from models.login_session import LoginSession
from models.passkey import Passkey
from models.passkey_challenge import PasskeyChallenge
from models.rate_limit import RateLimitCounter
from models.recovery_code import RecoveryCode
from models.revoked_token import RevokedToken
from models.store import Store
from models.tag import Tag
from models.totp_factor import TotpFactor
from models.user import User

__all__ = [
    "AccountToken",
    "AuditEvent",
    "Item",
    "LoginSession",
    "Passkey",
    "PasskeyChallenge",
    "RateLimitCounter",
    "RecoveryCode",
    "RevokedToken",
    "Store",
    "Tag",
    "TotpFactor",
    "User",
    "items_tags",
]
