"""Account recovery: e-mail verification, password reset and e-mail change.

The links carry an account token (auth/account_tokens.py) and point at PUBLIC_URL's
/account pages; the messages are plain text and leave through the mailer's background
thread, after the token is committed. Nothing here ever logs a token or a link.
"""

import contextlib
import logging
from functools import partial

from flask import current_app

from auth import account_tokens, accounts, sessions
from extensions import db
from mail.mailer import mailer
from mail.transport import MailError
from models import User

VERIFY_PAGE = "/account/verify-email"
RESET_PAGE = "/account/reset-password"

log = logging.getLogger("auth.recovery")


def _link(page: str, token: str) -> str:
    # token_urlsafe's alphabet needs no escaping in a query string.
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{page}?token={token}"


def _minutes(key: str) -> int:
    return int(current_app.config[key].total_seconds() // 60)


def _send(to: str, subject: str, text: str) -> None:
    outgoing = mailer()
    outgoing.send(outgoing.message(to, subject, text))


def send_verification(user: User, address: str) -> None:
    """Commit a verification token for `address` and send its link there."""
    lifetime = current_app.config["EMAIL_VERIFY_EXPIRES"]
    token = account_tokens.issue(user.id, account_tokens.VERIFY_EMAIL, lifetime, email=address)
    sessions.log_event("email_verification_sent", user.id, None)
    db.session.commit()
    _send(
        address,
        "Confirm your e-mail address",
        f"Hello {user.username},\n\nTo confirm that this address is yours, open this link "
        f"within {_minutes('EMAIL_VERIFY_EXPIRES') // 60} hours:\n\n"
        f"{_link(VERIFY_PAGE, token)}\n\nIf you did not ask for this, ignore this message.\n",
    )


def request_reset(user: User | None) -> None:
    """Send a reset link when the account has an address; do nothing visible otherwise.

    The caller answers the same either way: whether an account exists is not disclosed
    (OWASP Forgot Password Cheat Sheet). So that the time of the answer does not tell it
    either, everything a known account costs more (writing the token, the message) runs
    on the mail thread after the answer.
    """
    sessions.log_event("password_reset_requested", user.id if user else None, None)
    if user is None or user.email is None:
        return
    mailer().later(current_app._get_current_object(), partial(_send_reset, user.id))  # type: ignore[attr-defined]


def _send_reset(user_id: int) -> None:
    user = db.session.get(User, user_id)
    if user is None or user.email is None:
        return
    window = current_app.config["RESET_MAILS_WINDOW"]
    if (
        account_tokens.issued_since(user.id, account_tokens.RESET_PASSWORD, window)
        >= (current_app.config["RESET_MAILS_PER_WINDOW"])
    ):
        # However many identifiers or addresses ask, the mailbox is not flooded; the
        # callers' answers did not change, so this tells them nothing.
        log.warning("reset mail not sent: the account's hourly allowance is spent")
        return
    lifetime = current_app.config["PASSWORD_RESET_EXPIRES"]
    token = account_tokens.issue(user.id, account_tokens.RESET_PASSWORD, lifetime)
    db.session.commit()
    outgoing = mailer()
    message = outgoing.message(
        user.email,
        "Reset your password",
        f"Hello {user.username},\n\nSomeone (we hope you) asked to reset the password of "
        f"this account. To choose a new one, open this link within "
        f"{_minutes('PASSWORD_RESET_EXPIRES')} minutes:\n\n{_link(RESET_PAGE, token)}\n\n"
        "If it was not you, ignore this message: your password stays as it is.\n",
    )
    with contextlib.suppress(MailError):  # logged and counted by the mailer
        outgoing.send_now(message)


def reset_password(user_id: int, token: str, new_password: str) -> bool:
    """Spend the token and set the password; every session of the user ends. False when
    the token is no longer good (a concurrent request spent it first)."""
    redeemed = account_tokens.redeem(token, account_tokens.RESET_PASSWORD)
    if redeemed is None or redeemed.user_id != user_id:
        db.session.rollback()
        return False
    user = db.session.get(User, user_id)
    assert user is not None  # the token's row cascades with its user
    accounts.change_password(user, new_password)
    if user.email_verified_at is None and user.email is not None:
        # The link reached this address, and whoever opened it controls it.
        accounts.set_email(user, user.email, verified=True)
    # One transaction: the spent link, the new hash, every session's end and the event.
    sessions.revoke(user.id, event="password_reset")
    if user.email:
        _send(
            user.email,
            "Your password was changed",
            f"Hello {user.username},\n\nThe password of this account was just reset, and "
            f"every session was signed out. If this was not you, reset it again at once "
            f"and tell us.\n",
        )
    return True


def request_email_change(user: User, new_address: str) -> None:
    """Send a verification link to the new address, and a notice to the old one; the
    address changes only when the link is opened."""
    old = user.email
    sessions.log_event("email_change_requested", user.id, None)
    send_verification(user, new_address)  # commits the event with the link
    if old and accounts.email_key(old) != accounts.email_key(new_address):
        _send(
            old,
            "Your e-mail address is being changed",
            f"Hello {user.username},\n\nSomeone signed in to this account asked to replace "
            f"this address with another. It changes once the link sent to the new address "
            f"is opened. If this was not you, change your password now.\n",
        )


class EmailTakenError(Exception):
    """The address a link confirms was taken by another account in the meantime."""


def verify_email(token: str) -> User | None:
    """Spend a verification token and mark its address verified (replacing the current
    one for a change). None when the token is no longer good; EmailTakenError when another
    account took the address since the link was sent."""
    redeemed = account_tokens.redeem(token, account_tokens.VERIFY_EMAIL)
    if redeemed is None or redeemed.email is None:
        db.session.rollback()
        return None
    user = db.session.get(User, redeemed.user_id)
    assert user is not None
    if accounts.email_taken(redeemed.email, by_other_than=user.id):
        db.session.rollback()
        raise EmailTakenError(redeemed.email)
    changed = user.email is None or accounts.email_key(user.email) != accounts.email_key(
        redeemed.email
    )
    accounts.set_email(user, redeemed.email, verified=True)
    sessions.log_event("email_changed" if changed else "email_verified", user.id, None)
    db.session.commit()
    return user
