"""Accounts: the one rule that makes a username canonical, and the one way to create a user.

The API's schemas, the login throttle, the CLI, the tests and the benchmark all go
through these functions, so that no two of them can disagree on who "alice" is.
"""

import unicodedata

from sqlalchemy import select

from auth import passwords
from extensions import db
from models import User

USERNAME_MAX_LENGTH = 80  # characters, as the users table stores them
# NFKC can grow a string, and its cost grows faster than the input with long runs of
# combining marks (Unicode's canonical reordering): nothing longer is normalised at all.
USERNAME_MAX_INPUT = 4 * USERNAME_MAX_LENGTH


class UsernameError(ValueError):
    """The name cannot be any account's: the message says why."""


class UsernameTaken(Exception):
    """Another account already has this name (in its canonical form)."""


def normalize_username(raw: str) -> str:
    """The name as it is stored and shown: trimmed and NFKC-normalised, so that look-alike
    spellings of one name (fullwidth letters, ligatures) are one name.

    Raises UsernameError for an empty or too long name, before any costly work.
    """
    if len(raw) > USERNAME_MAX_INPUT:
        raise UsernameError(f"Must be 1 to {USERNAME_MAX_LENGTH} characters long.")
    name = unicodedata.normalize("NFKC", raw.strip())
    if not 1 <= len(name.casefold()) <= USERNAME_MAX_LENGTH:
        raise UsernameError(f"Must be 1 to {USERNAME_MAX_LENGTH} characters long.")
    return name


def username_key(raw: str) -> str:
    """The canonical form the users table is unique on: "Alice" and "alice" are one account."""
    return normalize_username(raw).casefold()


def find_by_username(raw: str) -> User | None:
    try:
        key = username_key(raw)
    except UsernameError:
        return None
    return db.session.scalar(select(User).where(User.username_key == key))


def create_user(
    username: str, password: str, *, email: str | None = None, is_admin: bool = False
) -> User:
    """Add a user with a hashed password, and commit.

    Raises UsernameError for a name no account can have and UsernameTaken when another
    account has it; a racing duplicate fails at the commit with an IntegrityError (the
    unique index decides). The password policy is the caller's to check.
    """
    name = normalize_username(username)
    key = name.casefold()
    if db.session.scalar(select(User.id).where(User.username_key == key)) is not None:
        raise UsernameTaken(name)
    user = User(
        username=name,
        username_key=key,
        email=email,
        password_hash=passwords.hash_password(password),
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.commit()
    return user
