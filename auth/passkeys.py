"""Passkeys (WebAuthn Level 2, through py_webauthn): adding one to an account, signing in
with one alone, listing and removing them.

Every check of a signature, origin, RP ID, challenge and user verification is the
library's. The signature counter is compared here, after the signature verified, by one
compare-and-swap UPDATE, so that only an assertion the key really signed can lock a
passkey. The challenges are auth/passkey_challenges.py's.
"""

import json
from typing import Any, NoReturn

from flask import current_app
from sqlalchemy import ScalarSelect, delete, func, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    generate_user_handle,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from auth import passkey_challenges as challenges
from auth import sessions
from auth.passkey_challenges import LOGIN, REAUTH, REGISTER
from extensions import db
from models import LoginSession, Passkey, User
from models.passkey import MAX_CREDENTIAL_ID, count_for
from models.types import utcnow

MAX_PASSKEYS = 20  # per account: bounds the exclude list every registration sends
ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]


class PasskeyError(Exception):
    """A ceremony refused: the status, error code and message of the answer."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def count(user_id: int) -> int:
    """How many passkeys the user has (locked ones included)."""
    return db.session.scalar(select(func.count(Passkey.id)).where(Passkey.user_id == user_id)) or 0


def count_clause(user_id: int) -> ScalarSelect[int]:
    """count() as an SQL expression, for a statement that asks more at once."""
    return count_for(user_id)


def listing(user_id: int) -> list[Passkey]:
    return list(
        db.session.scalars(
            select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.id)
        ).all()
    )


def registration_options(user: User) -> dict[str, Any]:
    """Creation options for navigator.credentials.create(): a discoverable credential
    (sign-in needs no username) with user verification (a passkey is both factors), no
    attestation, and the user's passkeys excluded so one authenticator is not added twice."""
    existing = listing(user.id)
    if len(existing) >= MAX_PASSKEYS:
        raise PasskeyError(
            409, "too_many_passkeys", f"At most {MAX_PASSKEYS} passkeys: remove one first."
        )
    # One handle per user, so that an authenticator replaces its credential for this
    # account rather than keeping two.
    handle = existing[0].user_handle if existing else generate_user_handle()
    config = current_app.config
    options = generate_registration_options(
        rp_id=config["WEBAUTHN_RP_ID"],
        rp_name=config["WEBAUTHN_RP_NAME"],
        user_name=user.username,
        user_id=handle,
        user_display_name=user.username,
        timeout=challenges.TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(
                id=passkey.credential_id, transports=_transports(passkey.transports)
            )
            for passkey in existing
        ],
        supported_pub_key_algs=ALGORITHMS,
    )
    challenges.keep(options.challenge, REGISTER, user.id, handle)
    return dict(json.loads(options_to_json(options)))


def register(user_id: int, sid: str, credential: Any, name: str | None) -> Passkey:
    """Verify the authenticator's answer to the user's registration challenge and keep
    the new passkey. Raises PasskeyError; the challenge is spent either way."""
    challenge = _challenge_of(credential)
    handle = challenges.spend(challenge, REGISTER, user_id)
    if handle is None:
        raise PasskeyError(
            400,
            "invalid_challenge",
            "Unknown, used or expired challenge: ask POST /me/passkeys/options again.",
        )
    config = current_app.config
    try:
        parsed = parse_registration_credential_json(credential)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=config["WEBAUTHN_RP_ID"],
            expected_origin=config["WEBAUTHN_ORIGIN"],
            require_user_verification=True,
            supported_pub_key_algs=ALGORITHMS,
        )
    except Exception as error:  # noqa: BLE001  any malformed part (CBOR, COSE, base64) too
        raise PasskeyError(
            400, "invalid_credential", f"The passkey was not accepted: {_reason(error)}"
        ) from error
    if len(verified.credential_id) > MAX_CREDENTIAL_ID:
        raise PasskeyError(400, "invalid_credential", "The credential id is too long.")
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == verified.credential_id)):
        raise PasskeyError(409, "passkey_exists", "This passkey is already registered.")
    if count(user_id) >= MAX_PASSKEYS:
        raise PasskeyError(
            409, "too_many_passkeys", f"At most {MAX_PASSKEYS} passkeys: remove one first."
        )
    transports = parsed.response.transports or []
    passkey = Passkey(
        user_id=user_id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        user_handle=handle,
        sign_count=verified.sign_count,
        transports=[transport.value for transport in transports],
        name=name or "Passkey",
        created_at=utcnow(),
    )
    db.session.add(passkey)
    db.session.flush()  # its id, for the event
    sessions.log_event("passkey_added", user_id, sid, passkey_id=passkey.id)
    db.session.commit()
    return passkey


def authentication_options() -> dict[str, Any]:
    """Request options for navigator.credentials.get(): no allow list (the authenticator
    offers its discoverable credentials for this RP ID) and user verification required."""
    options = generate_authentication_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        timeout=challenges.TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    challenges.keep(options.challenge, LOGIN, None, None)
    return dict(json.loads(options_to_json(options)))


def reauthentication_options(user: User) -> dict[str, Any]:
    """Request options for proving it is still the caller (sudo mode): the caller's own
    passkeys as the allow list, so the browser offers only those, and a challenge bound to
    the caller, so an assertion made for another account's ceremony does nothing here."""
    usable = [passkey for passkey in listing(user.id) if passkey.locked_at is None]
    if not usable:
        raise PasskeyError(
            409, "no_passkey", "This account has no usable passkey: confirm with the password."
        )
    options = generate_authentication_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        timeout=challenges.TIMEOUT_MS,
        user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=[
            PublicKeyCredentialDescriptor(
                id=passkey.credential_id, transports=_transports(passkey.transports)
            )
            for passkey in usable
        ],
    )
    challenges.keep(options.challenge, REAUTH, user.id, None)
    return dict(json.loads(options_to_json(options)))


def sign_in(credential: Any) -> tuple[User, LoginSession]:
    """Verify an assertion against a login challenge and start a session for the
    passkey's owner: the possession of the key and the authenticator's user verification
    are both factors. Raises PasskeyError (every failure is logged)."""
    passkey = _verify_assertion(credential, LOGIN, None, "passkey_login_failed")
    user = db.session.get(User, passkey.user_id)
    assert user is not None  # the passkey's row cascades with its user's
    config = current_app.config
    if user.locked:
        sessions.log_event("login_failed", user.id, None, reason="account_locked")
        db.session.commit()  # the counter moved all the same
        message = "This account is locked; contact an administrator."
        raise PasskeyError(403, "account_locked", message)
    if config["REQUIRE_VERIFIED_EMAIL"] and not user.email_verified:
        db.session.commit()  # the counter moved all the same
        raise PasskeyError(
            403,
            "email_not_verified",
            "Verify your e-mail address first: see the link sent to it.",
        )
    session = sessions.start(user.id)
    sessions.log_event("passkey_used", user.id, session.id, passkey_id=passkey.id)
    sessions.log_event("login", user.id, session.id, method="passkey")
    db.session.commit()
    return user, session


def reauthenticate(user_id: int, sid: str, credential: Any) -> None:
    """Verify an assertion against the caller's reauthentication challenge, made by one of
    the caller's own passkeys: proof of both factors again, as password and code are.
    Raises PasskeyError (every failure is logged as reauthentication_failed)."""
    passkey = _verify_assertion(credential, REAUTH, user_id, "reauthentication_failed", sid)
    sessions.log_event("passkey_used", user_id, sid, passkey_id=passkey.id)
    sessions.log_event("reauthenticated", user_id, sid, method="passkey")
    db.session.commit()


def _verify_assertion(
    credential: Any, purpose: str, user_id: int | None, failed: str, sid: str | None = None
) -> Passkey:
    """The passkey whose assertion answers a live challenge of this ceremony (and user):
    the challenge is spent, the signature, origin, RP ID and user verification checked and
    the counter moved. A failure is logged as the event `failed` and raised as PasskeyError
    (401)."""

    def refuse(passkey: Passkey | None, error: str, message: str) -> NoReturn:
        _refuse(failed, user_id, sid, passkey, error, message)

    try:
        challenge = _challenge_of(credential)
    except PasskeyError as error:
        sessions.log_event(failed, user_id, sid, reason=error.error)
        raise
    if challenges.spend(challenge, purpose, user_id) is None:
        refuse(None, "invalid_challenge", "Unknown, used or expired challenge: ask again.")
    try:
        parsed = parse_authentication_credential_json(credential)
    except Exception as error:  # noqa: BLE001
        sessions.log_event(failed, user_id, sid, reason="invalid_credential")
        raise PasskeyError(400, "invalid_credential", f"Malformed: {_reason(error)}") from error
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == parsed.raw_id))
    if passkey is None or (user_id is not None and passkey.user_id != user_id):
        # Another account's passkey is, for this account, no passkey at all.
        refuse(None, "unknown_credential", "No account has this passkey.")
    if passkey.locked_at is not None:
        message = "This passkey is locked (its counter went backwards): remove it."
        refuse(passkey, "passkey_locked", message)
    handle = parsed.response.user_handle
    if handle is not None and handle != passkey.user_handle:
        refuse(passkey, "passkey_invalid", "The passkey answered for another account.")
    config = current_app.config
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=config["WEBAUTHN_RP_ID"],
            expected_origin=config["WEBAUTHN_ORIGIN"],
            credential_public_key=passkey.public_key,
            # 0: the library then leaves the counter alone; it is compared below, once
            # the signature is known to be good.
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except Exception as error:  # noqa: BLE001
        refuse(passkey, "passkey_invalid", f"The passkey's answer failed: {_reason(error)}")
    if not _advance(passkey, verified.new_sign_count):
        _counter_regressed(passkey, verified.new_sign_count)
    return passkey


def remove(user_id: int, sid: str, passkey_id: int) -> bool:
    """Delete one of the user's passkeys; False if the user has none of that id."""
    result = db.session.execute(
        delete(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    sessions.log_event("passkey_removed", user_id, sid, passkey_id=passkey_id)
    db.session.commit()
    return True


def remove_all(user_id: int) -> int:
    """Delete every passkey of the user and their ceremonies under way (support's
    mfa-reset); logs it and returns how many; the caller commits."""
    challenges.forget_user(user_id)
    result = db.session.execute(delete(Passkey).where(Passkey.user_id == user_id))
    removed: int = result.rowcount  # type: ignore[attr-defined]
    if removed:
        sessions.log_event("passkey_removed", user_id, None, count=removed)
    return removed


def _challenge_of(credential: Any) -> bytes:
    challenge = challenges.read(credential)
    if challenge is None:
        raise PasskeyError(
            400, "invalid_credential", "Malformed credential: no readable clientDataJSON."
        )
    return challenge


def _advance(passkey: Passkey, new_count: int) -> bool:
    """Store the new counter and the time of use if the counter went up, or if the
    authenticator keeps none (0 both times, as synced passkeys do): one compare-and-swap,
    so two requests cannot both move it past one value."""
    went_up = Passkey.sign_count == 0 if new_count == 0 else Passkey.sign_count < new_count
    result = db.session.execute(
        update(Passkey)
        .where(Passkey.id == passkey.id, Passkey.locked_at.is_(None), went_up)
        .values(sign_count=new_count, last_used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _counter_regressed(passkey: Passkey, presented: int) -> NoReturn:
    """A good signature with a counter not above the stored one: two authenticators hold
    this key (WebAuthn §6.1.1). The passkey is locked and the sign-in refused."""
    stored = passkey.sign_count
    db.session.execute(
        update(Passkey)
        .where(Passkey.id == passkey.id)
        .values(locked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    sessions.log_event(
        "sign_count_regressed",
        passkey.user_id,
        None,
        passkey_id=passkey.id,
        stored_count=stored,
        presented_count=presented,
    )
    db.session.commit()
    raise PasskeyError(
        401,
        "sign_count_regressed",
        "This passkey's signature counter went backwards, as a copied authenticator's "
        "does: it is locked now. Sign in another way and remove it.",
    )


def _refuse(
    event: str,
    user_id: int | None,
    sid: str | None,
    passkey: Passkey | None,
    error: str,
    message: str,
) -> NoReturn:
    owner = passkey.user_id if passkey else user_id
    passkey_id = passkey.id if passkey else None
    sessions.log_event(event, owner, sid, reason=error, passkey_id=passkey_id)
    raise PasskeyError(401, error, message)


def _reason(error: Exception) -> str:
    if isinstance(error, WebAuthnException):
        return str(error).split(". See __cause__")[0]
    return "it is malformed"


def _transports(names: list[str]) -> list[AuthenticatorTransport]:
    known = {transport.value for transport in AuthenticatorTransport}
    return [AuthenticatorTransport(name) for name in names if name in known]
