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

from auth import account_tokens, passwords, sessions
from auth.confusables import skeleton
from extensions import db
from models import User
from models.types import utcnow

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


class EmailTaken(Exception):
    """Another account already has this address (in its compared form)."""


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


def email_key(address: str) -> str:
    """The form addresses are stored and compared in: the domain in its ASCII (IDNA) form,
    lower-case (RFC 5321 §2.4: domains are case-insensitive; nameprep folds full-width
    letters and drops invisible ones, so "bücher.example" and "xn--bcher-kva.example" are
    one domain); the local part as given (its case may matter to the receiving server).
    UnicodeError for a domain that has no ASCII form."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii').lower()}"


def find_by_email(address: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_key == email_key(address)))


def email_taken(address: str, by_other_than: int | None = None) -> bool:
    owner = db.session.scalar(select(User.id).where(User.email_key == email_key(address)))
    return owner is not None and owner != by_other_than


def set_email(user: User, address: str, *, verified: bool) -> None:
    """Make `address` the user's address; the caller commits (a racing duplicate fails
    there, on the unique index). Every pending verification link dies with the old one."""
    user.email = user.email_key = email_key(address)
    user.email_verified_at = utcnow() if verified else None
    account_tokens.void(user.id, account_tokens.VERIFY_EMAIL)


def change_password(user: User, new_password: str) -> None:
    """Store a new password hash; every reset link of the user, and every login waiting
    for its second factor, dies with the old password, whichever route changed it. The
    caller commits."""
    user.password_hash = passwords.hash_password(new_password)
    account_tokens.void(user.id, account_tokens.RESET_PASSWORD)
    account_tokens.void(user.id, account_tokens.MFA_LOGIN)


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
    """Add a user with a hashed password, log `register`, and commit.

    Raises UsernameError for a name no account can have, UsernameTaken or EmailTaken when
    another account has the name or the address; a racing duplicate fails at the commit
    with an IntegrityError (the unique indexes decide). The password policy is the
    caller's to check. The address starts unverified.
    """
    name, key = normalize_username(username), username_key(username)
    look = skeleton(key)
    taken = or_(User.username_key == key, User.username_skeleton == look)
    if db.session.scalar(select(User.id).where(taken)) is not None:
        raise UsernameTaken(name)
    if email is not None and email_taken(email):
        raise EmailTaken(email)
    user = User(
        username=name,
        username_key=key,
        username_skeleton=look,
        email=email_key(email) if email else None,
        email_key=email_key(email) if email else None,
        password_hash=passwords.hash_password(password),
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()  # the id, for the event
    sessions.log_event("register", user.id, None)
    db.session.commit()
    return user
