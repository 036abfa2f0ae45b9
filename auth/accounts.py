"""Accounts: the one rule that makes a username canonical, and the one way to create a user.

The API's schemas, the login throttle, the CLI, the tests and the benchmark all go
through these functions, so that no two of them can disagree on who "alice" is.

The rule is RFC 8265's PRECIS UsernameCaseMapped profile (width-mapped, NFC, lower case;
spaces, controls, invisible and default-ignorable characters refused), and no two accounts
may share a confusable skeleton (Unicode TS #39, auth/confusables.py): "alice" with a
Cyrillic "а" collides with "alice".
"""

import unicodedata

import precis_i18n
from sqlalchemy import or_, select

from auth import passwords
from auth.confusables import skeleton
from extensions import db
from models import User

_PRESERVED = precis_i18n.get_profile("UsernameCasePreserved")
_MAPPED = precis_i18n.get_profile("UsernameCaseMapped")

USERNAME_MAX_LENGTH = 80  # characters, as the users table stores them
# NFKC can grow a string, and its cost grows faster than the input with long runs of
# combining marks (Unicode's canonical reordering): nothing longer is normalised at all.
USERNAME_MAX_INPUT = 4 * USERNAME_MAX_LENGTH


class UsernameError(ValueError):
    """The name cannot be any account's: the message says why."""


class UsernameTaken(Exception):
    """Another account already has this name (in its canonical form)."""


def _enforce(profile: precis_i18n.profile.Profile, raw: str) -> str:
    # The length first: nothing long is normalised (its cost grows faster than the input).
    if not 1 <= len(raw) <= USERNAME_MAX_INPUT:
        raise UsernameError(f"Must be 1 to {USERNAME_MAX_LENGTH} characters long.")
    try:
        name: str = profile.enforce(raw)
    except UnicodeEncodeError as error:
        if error.reason == "empty":
            raise UsernameError(f"Must be 1 to {USERNAME_MAX_LENGTH} characters long.") from None
        char = error.object[error.start] if error.start < len(error.object) else ""
        why = error.reason.rpartition("/")[2].replace("_", " ")
        raise UsernameError(
            f"Must not contain U+{ord(char):04X} ({why}): usernames are letters, digits "
            "and visible symbols, without spaces or invisible characters (RFC 8265)."
        ) from None
    if len(name) > USERNAME_MAX_LENGTH:
        raise UsernameError(f"Must be 1 to {USERNAME_MAX_LENGTH} characters long.")
    return name


def normalize_username(raw: str) -> str:
    """The name as it is stored and shown: PRECIS UsernameCasePreserved (RFC 8265 §3.3),
    so that fullwidth and other width variants of one name are one name.

    Raises UsernameError for an empty, too long or disallowed name, before any costly work.
    """
    return _enforce(_PRESERVED, raw.strip())


def username_key(raw: str) -> str:
    """The canonical form the users table is unique on (PRECIS UsernameCaseMapped, RFC
    8265 §3.2): "Alice" and "ＡＬＩＣＥ" are one account."""
    return _enforce(_MAPPED, raw.strip())


def username_skeleton(raw: str) -> str:
    """What the name looks like (TS #39): names with one skeleton are one account's."""
    return skeleton(username_key(raw))


def find_by_username(raw: str) -> User | None:
    try:
        keys = [username_key(raw)]
    except UsernameError:
        keys = []
    # Accounts made before the PRECIS rule keep logging in under their old key (NFKC,
    # case-folded), even when the new rule would refuse their name.
    if len(raw) <= USERNAME_MAX_INPUT:
        keys.append(unicodedata.normalize("NFKC", raw.strip()).casefold())
    if not keys:
        return None
    return db.session.scalar(select(User).where(User.username_key.in_(keys)).limit(1))


def create_user(
    username: str, password: str, *, email: str | None = None, is_admin: bool = False
) -> User:
    """Add a user with a hashed password, and commit.

    Raises UsernameError for a name no account can have and UsernameTaken when another
    account has it; a racing duplicate fails at the commit with an IntegrityError (the
    unique index decides). The password policy is the caller's to check.
    """
    name, key = normalize_username(username), username_key(username)
    look = skeleton(key)
    taken = or_(User.username_key == key, User.username_skeleton == look)
    if db.session.scalar(select(User.id).where(taken)) is not None:
        raise UsernameTaken(name)
    user = User(
        username=name,
        username_key=key,
        username_skeleton=look,
        email=email,
        password_hash=passwords.hash_password(password),
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.commit()
    return user
