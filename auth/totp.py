"""TOTP (RFC 6238) through pyotp, the QR code through segno: set up, confirm, verify.

Codes are 6 digits of 30-second steps (what every authenticator app defaults to). A code
of the step before or after the server's is accepted too (RFC 6238 §5.2: one step of
clock drift), and the step of each accepted code is stored, so that neither that code
nor one of an earlier step is ever accepted again (no replay, even inside its window).
"""

import hmac
import time
from typing import NamedTuple

import pyotp
import segno
from flask import current_app
from sqlalchemy import Exists, delete, or_, select, update

from extensions import db
from models import TotpFactor, User
from models.totp_factor import confirmed_for
from models.types import utcnow

DIGITS = 6
INTERVAL = 30  # seconds per step
DRIFT = 1  # steps either side of now


class Pending(NamedTuple):
    secret: str
    otpauth_uri: str
    qr_svg: str


def active(user_id: int) -> bool:
    """Whether the user has a confirmed secret: login then asks for a code."""
    return _exists(user_id, pending=False)


def active_clause(user_id: int) -> Exists:
    """active() as an SQL expression, for a statement that asks more at once."""
    return confirmed_for(user_id)


def pending(user_id: int) -> bool:
    return _exists(user_id, pending=True)


def _exists(user_id: int, *, pending: bool) -> bool:
    found = db.session.scalar(select(TotpFactor.user_id).where(*_of(user_id, pending)))
    return found is not None


def begin(user: User) -> Pending:
    """A new pending secret for the user (replacing a pending one); the caller has checked
    that none is active, and commits."""
    secret = pyotp.random_base32()  # 160 bits, RFC 4226 §4's recommended length
    factor = db.session.get(TotpFactor, user.id)
    if factor is None:
        factor = TotpFactor(user_id=user.id, secret=secret)
        db.session.add(factor)
    factor.secret, factor.created_at, factor.last_step = secret, utcnow(), None
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=user.username, issuer_name=current_app.config["TOTP_ISSUER"]
    )
    # Inline SVG (no XML declaration): the page puts it in the DOM as it is.
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return Pending(secret, uri, svg)


def confirm(user_id: int, code: str) -> bool:
    """Make the pending secret active if `code` is one of its current codes; the caller
    commits."""
    step = match(user_id, code, pending=True)
    return step is not None and record(user_id, step, pending=True)


def match(user_id: int, code: str, *, pending: bool = False) -> int | None:
    """The step of the user's secret that `code` is the code of, if it is within the drift
    and later than the last step accepted; None otherwise. Reads only."""
    code = "".join(code.split())  # apps show "123 456"
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    factor = db.session.scalar(select(TotpFactor).where(*_of(user_id, pending)))
    if factor is None:
        return None
    otp = pyotp.TOTP(factor.secret, digits=DIGITS, interval=INTERVAL)
    now = int(time.time()) // INTERVAL
    matched = [
        step
        for step in range(now - DRIFT, now + DRIFT + 1)
        if hmac.compare_digest(otp.generate_otp(step), code)
    ]
    if not matched or (factor.last_step is not None and max(matched) <= factor.last_step):
        return None
    return max(matched)


def record(user_id: int, step: int, *, pending: bool = False) -> bool:
    """Accept the code of `step` (a pending secret becomes active): False when another
    request accepted this step or a later one first. The caller commits."""
    # Compare and swap: of two requests with one code, exactly one moves last_step on.
    values: dict = {"last_step": step}
    if pending:
        values["confirmed_at"] = utcnow()
    result = db.session.execute(
        update(TotpFactor)
        .where(
            *_of(user_id, pending),
            or_(TotpFactor.last_step.is_(None), TotpFactor.last_step < step),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def remove(user_id: int) -> None:
    """Delete the user's secret, active or pending; the caller commits."""
    db.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user_id))


def _of(user_id: int, pending: bool) -> tuple:
    state = TotpFactor.confirmed_at.is_(None) if pending else TotpFactor.confirmed_at.is_not(None)
    return (TotpFactor.user_id == user_id, state)
