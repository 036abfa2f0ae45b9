"""Password hashing (pbkdf2_sha256 through passlib's CryptContext) and constant-cost checks."""

import functools
import unicodedata
from pathlib import Path

from flask import Flask, current_app
from passlib.context import CryptContext


def init_app(app: Flask) -> None:
    context = CryptContext(
        schemes=["pbkdf2_sha256"],
        pbkdf2_sha256__default_rounds=app.config["PASSWORD_HASH_ROUNDS"],
        # Hashes below the configured rounds are re-hashed at the next successful login.
        pbkdf2_sha256__min_rounds=app.config["PASSWORD_HASH_ROUNDS"],
    )
    app.extensions["passwords"] = _Passwords(context)


def normalize(password: str) -> str:
    # NIST SP 800-63B: NFKC, so that one password typed on two keyboards matches.
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _passwords().context.hash(normalize(password))


def verify(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; returns (matches, a new hash to store or None).

    With no hash (an unknown user) a dummy hash of the same cost is checked, so that an
    unknown username and a wrong password take the same time.
    """
    passwords = _passwords()
    candidate = normalize(password)
    if not _fits(candidate):
        candidate, password_hash = "", None  # nobody's password: fail at the same cost
    if password_hash is None:
        passwords.context.verify(candidate, passwords.dummy_hash())
        return False, None
    return passwords.context.verify_and_update(candidate, password_hash)


class _Passwords:
    def __init__(self, context: CryptContext) -> None:
        self.context = context
        self._dummy: str | None = None

    def dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self.context.hash("not a password anyone has")
        return self._dummy


def _passwords() -> _Passwords:
    passwords: _Passwords = current_app.extensions["passwords"]
    return passwords


def policy_errors(password: str, username: str | None) -> list[str]:
    """Why a new password is refused (NIST SP 800-63B): length, blocklist, the username."""
    config = current_app.config
    normalized = normalize(password)
    errors = []
    if len(normalized) < config["PASSWORD_MIN_LENGTH"]:
        errors.append(f"Must be at least {config['PASSWORD_MIN_LENGTH']} characters long.")
    if len(normalized) > config["PASSWORD_MAX_LENGTH"] or not _fits(normalized):
        errors.append(f"Must be at most {config['PASSWORD_MAX_LENGTH']} characters long.")
    folded = normalized.casefold()
    if folded in _common_passwords():
        errors.append("Is one of the most common passwords: choose another.")
    if username and folded == normalize(username).casefold():
        errors.append("Must not be the username.")
    return errors


def _fits(normalized: str) -> bool:
    # passlib refuses secrets past 4,096 bytes, and NFKC can lengthen a string.
    return len(normalized.encode("utf-8", "surrogatepass")) <= 4096


@functools.cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common-passwords.txt"
    return frozenset(line.casefold() for line in path.read_text("utf-8").splitlines())
