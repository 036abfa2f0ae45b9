"""Second factors: which a user has, the login step that asks for one, and the checks of
a code wherever one is presented (/login/mfa, /reauthenticate, turning TOTP off...).

A login whose password was right but whose user has a second factor gets no tokens: it
gets an mfa_token (auth/account_tokens.py, purpose mfa_login), single-use, 5 minutes,
for that user only, and takes at most MAX_ATTEMPTS codes. Each code checked counts on
the account's throttle, the one /login's passwords count on, so that many mfa_tokens
cannot add up to more guesses than the account's budget.
"""

from datetime import timedelta
from typing import NoReturn

from sqlalchemy import select

from auth import account_tokens, passkeys, recovery_codes, sessions, throttling, totp
from auth.revocation import Principal
from extensions import db
from models import User
from web.api import abort

TOTP = "totp"
RECOVERY_CODE = "recovery_code"
PASSKEY = "passkey"
MFA_TOKEN_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5  # codes checked per mfa_token: at most 5 wrong ones


def _has(user_id: int) -> tuple[bool, int]:
    """Whether TOTP is active, and how many passkeys: one statement, as GET /me asks it on
    every call."""
    row = db.session.execute(
        select(totp.active_clause(user_id), passkeys.count_clause(user_id))
    ).one()
    return bool(row[0]), int(row[1])


def methods(user_id: int) -> list[str]:
    """The second factors the user can answer with: empty when they have none. The one
    place that knows which factors exist. A passkey answers at POST /login/passkey (it is
    both factors), not with the mfa_token."""
    has_totp, passkey_count = _has(user_id)
    found = [TOTP, RECOVERY_CODE] if has_totp else []
    return [*found, PASSKEY] if passkey_count else found


def summary(principal: Principal) -> dict[str, bool | int]:
    """What GET /me says of the caller's factors: {totp: bool, passkeys: count}, as the
    request's revocation check read them (auth/revocation)."""
    return {"totp": principal.totp, "passkeys": principal.passkeys}


def challenge_login(user: User) -> None:
    """After a right password: when the user has a second factor, answer 403 mfa_required
    with the methods instead of tokens, and a new mfa_token when a code can answer it (a
    passkey answers at POST /login/passkey, with no token). Commits the token."""
    found = methods(user.id)
    if not found:
        return
    sessions.log_event("mfa_required", user.id, None, methods=found)
    if TOTP not in found:
        db.session.commit()
        abort(
            403,
            "This account's second factor is a passkey: sign in with it (POST /login/passkey).",
            error="mfa_required",
            methods=found,
        )
    token = account_tokens.issue(user.id, account_tokens.MFA_LOGIN, MFA_TOKEN_LIFETIME)
    db.session.commit()
    message = "A second factor is required: POST /login/mfa with this mfa_token and a code"
    if PASSKEY in found:
        message += ", or sign in with a passkey (POST /login/passkey)"
    abort(403, f"{message}.", error="mfa_required", mfa_token=token, methods=found)


def finish_login(mfa_token: str, code: str | None, recovery_code: str | None) -> User:
    """The user whose mfa_token and code are right; the token is spent (the caller starts
    the session and commits). 401 invalid_token for a token that is unknown, used, expired
    or past MAX_ATTEMPTS codes; 400 invalid_code for a wrong code."""
    found = account_tokens.peek(mfa_token, account_tokens.MFA_LOGIN)
    user = db.session.get(User, found.user_id) if found else None
    if user is None:
        _invalid_token()
    if user.locked:  # before any code is spent; sessions.start() checks again
        sessions.log_event("login_failed", user.id, None, reason="account_locked")
        abort(403, "This account is locked; contact an administrator.", error="account_locked")
    account = throttling.user_account(user.username)
    throttling.attempt(account)  # 429 before the token's own count is touched
    if not account_tokens.count_attempt(mfa_token, account_tokens.MFA_LOGIN, MAX_ATTEMPTS):
        # No code was checked: the attempt is given back, after the rollback (SQLite's
        # write lock, which the throttle's counter in the app's database needs).
        db.session.rollback()
        throttling.succeeded(account)
        _invalid_token()
    db.session.commit()  # the attempt counts whatever follows
    if _verify(user, None, account, code, recovery_code) is None:
        db.session.commit()  # the failure's event
        abort(400, "The code is wrong, or was used already.", error="invalid_code")
    if account_tokens.redeem(mfa_token, account_tokens.MFA_LOGIN) is None:
        # A concurrent request with this token won; the code this one spent is given back.
        db.session.rollback()
        _invalid_token()
    return user


def _invalid_token() -> NoReturn:
    abort(401, "The mfa_token is unknown, used or expired: log in again.", error="invalid_token")


def check(user: User, sid: str | None, code: str | None, recovery_code: str | None) -> str | None:
    """The method a code proved (TOTP or RECOVERY_CODE), or None for a wrong one. Raises
    TooManyRequests (429) while the account is throttled; a wrong code counts against it
    as a wrong password does. An accepted code is spent (the caller commits)."""
    account = throttling.user_account(user.username)
    throttling.attempt(account)
    return _verify(user, sid, account, code, recovery_code)


def _verify(
    user: User, sid: str | None, account: str, code: str | None, recovery_code: str | None
) -> str | None:
    """check() once the attempt is counted on the throttle's `account`."""
    # Read, then give the attempt back, then write: with the throttle's counters in the
    # app's own SQLite database, the counter's write would wait on this transaction's.
    with db.session.no_autoflush:
        if code is not None:
            method, found = TOTP, totp.match(user.id, code)
        elif recovery_code is not None:
            method, found = RECOVERY_CODE, recovery_codes.find(user.id, recovery_code)
        else:
            method, found = TOTP, None
        if found is not None:
            throttling.succeeded(account)
            # A concurrent request that spent the same code first wins; this one fails
            # (its attempt given back already: one attempt, at most, per race).
            spend = totp.record if method == TOTP else recovery_codes.spend
            if not spend(user.id, found):
                found = None
    if found is None:
        sessions.log_event("mfa_code_failed", user.id, sid, method=method)
        return None
    if method == RECOVERY_CODE:
        left = recovery_codes.remaining(user.id)
        sessions.log_event("recovery_code_used", user.id, sid, remaining=left)
    return method


def require(user: User, sid: str, code: str | None, recovery_code: str | None) -> None:
    """For /reauthenticate, after a right password: nothing when the user has no second
    factor; else 403 mfa_required (with the methods) without a code, 400 invalid_code
    with a wrong one."""
    # A re-hashed password waits for the commit: written now, it would hold the SQLite
    # write lock that the throttle's counter (in the app's database) needs.
    with db.session.no_autoflush:
        found = methods(user.id)
        if not found:
            return
        if code is None and recovery_code is None:
            message = "This account has a second factor: send code or recovery_code as well."
            if PASSKEY in found:
                message += " Or prove it is you with a passkey (POST /reauthenticate/passkey)."
            if TOTP not in found:
                message = (
                    "This account's second factor is a passkey: prove it is you with one "
                    "instead (POST /reauthenticate/passkey/options, then /reauthenticate/passkey)."
                )
            abort(403, message, error="mfa_required", methods=found)
        right = check(user, sid, code, recovery_code)
    if right is None:
        db.session.commit()  # the failure's event (and a re-hashed password), nothing more
        abort(400, "The code is wrong, or was used already.", error="invalid_code")


def remove_all(user_id: int) -> None:
    """Delete every second factor of the user (TOTP, recovery codes, passkeys), and void
    their pending mfa_tokens; the caller logs the event and commits."""
    totp.remove(user_id)
    recovery_codes.remove(user_id)
    passkeys.remove_all(user_id)
    account_tokens.void(user_id, account_tokens.MFA_LOGIN)


def reset(user_id: int) -> int:
    """Support's reset (`flask users mfa-reset`): no second factor any more, and every
    session ends. Returns how many sessions ended."""
    remove_all(user_id)
    sessions.log_event("mfa_reset", user_id, None)
    return sessions.revoke(user_id)  # commits the removal with the revocation
