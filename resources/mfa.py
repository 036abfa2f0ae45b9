"""Second factors: TOTP with recovery codes (set up, confirm, turn off, new codes), and
the second step of a login that needs one."""

from typing import NoReturn

from flask import Response
from flask.views import MethodView
from flask_jwt_extended import get_jwt

from auth import factors, recovery_codes, sessions, totp, transport
from auth.permissions import caller, protected
from auth.throttling import credential_limits
from extensions import db
from models import User
from schemas.mfa import (
    CodeSchema,
    MfaLoginSchema,
    ProofSchema,
    RecoveryCodesSchema,
    TotpSetupSchema,
)
from schemas.user import TokensSchema
from web.api import abort
from web.blueprint import Blueprint

blp = Blueprint("mfa", __name__, description="Second factors: TOTP and recovery codes")


def _me() -> User:
    return db.get_or_404(User, caller().id, description="No such user.")


def _require_active(user: User) -> None:
    if not totp.active(user.id):
        abort(409, "TOTP is not active for this account.", error="totp_not_active")


def _wrong_code() -> NoReturn:
    db.session.commit()  # the failure's event, recorded with nothing else changed
    abort(400, "The code is wrong, or was used already.", error="invalid_code")


@blp.route("/me/mfa/totp")
class Totp(MethodView):
    decorators = credential_limits

    @protected(blp, fresh=True)
    @blp.response(200, TotpSetupSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self) -> dict:
        """Start setting up TOTP: a new pending secret, with its otpauth:// URI and QR code
        (409 totp_active when TOTP is on already). Nothing changes at login until POST
        /me/mfa/totp/confirm proves a code of it"""
        user = _me()
        if totp.active(user.id):
            abort(409, "TOTP is active already: turn it off first.", error="totp_active")
        pending = totp.begin(user)
        sessions.log_event("totp_setup_started", user.id, get_jwt()["sid"])
        db.session.commit()
        return pending._asdict()

    @protected(blp, fresh=True)
    @blp.arguments(ProofSchema)
    @blp.response(204)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def delete(self, data: dict) -> None:
        """Turn TOTP off, with a current code or a recovery code (400 invalid_code); its
        recovery codes go with it"""
        user, sid = _me(), get_jwt()["sid"]
        _require_active(user)
        if factors.check(user, sid, data.get("code"), data.get("recovery_code")) is None:
            _wrong_code()
        factors.remove_all(user.id)
        sessions.log_event("totp_disabled", user.id, sid)
        db.session.commit()


@blp.route("/me/mfa/totp/confirm")
class TotpConfirm(MethodView):
    decorators = credential_limits

    @protected(blp)
    @blp.arguments(CodeSchema)
    @blp.response(200, RecoveryCodesSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict) -> dict:
        """Prove the pending secret with one of its codes: TOTP is then active, and login
        asks for a code. Answers the 10 recovery codes, this once (409 totp_active, or
        totp_not_pending without a pending secret; 400 invalid_code)"""
        user, sid = _me(), get_jwt()["sid"]
        if totp.active(user.id):
            abort(409, "TOTP is active already.", error="totp_active")
        if not totp.pending(user.id):
            message = "No TOTP set-up is pending: POST /me/mfa/totp first."
            abort(409, message, error="totp_not_pending")
        if not totp.confirm(user.id, data["code"]):
            sessions.log_event("mfa_code_failed", user.id, sid, method=factors.TOTP)
            _wrong_code()
        codes = recovery_codes.replace(user.id)
        sessions.log_event("totp_enabled", user.id, sid)
        db.session.commit()
        return {"recovery_codes": codes}


@blp.route("/me/mfa/recovery-codes")
class RecoveryCodes(MethodView):
    decorators = credential_limits

    @protected(blp, fresh=True)
    @blp.arguments(CodeSchema)
    @blp.response(200, RecoveryCodesSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict:
        """A new set of 10 recovery codes, with a current TOTP code (400 invalid_code); the
        old codes stop working"""
        user, sid = _me(), get_jwt()["sid"]
        _require_active(user)
        if factors.check(user, sid, data["code"], None) is None:
            _wrong_code()
        codes = recovery_codes.replace(user.id)
        sessions.log_event("recovery_codes_regenerated", user.id, sid)
        db.session.commit()
        return {"recovery_codes": codes}


@blp.route("/login/mfa")
class LoginMfa(MethodView):
    decorators = credential_limits

    @blp.arguments(MfaLoginSchema)
    @blp.response(200, TokensSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict | Response:
        """The second step of a login: the mfa_token of POST /login's 403 mfa_required and
        a code (or a recovery code), for a fresh access token and a refresh token. 400
        invalid_code for a wrong code; 401 invalid_token for an mfa_token that is unknown,
        used, expired or has had 5 codes already; 403 account_locked once the account is
        locked (no code is spent)"""
        user = factors.finish_login(data["mfa_token"], data.get("code"), data.get("recovery_code"))
        session = sessions.start(user.id)
        sessions.log_event("login", user.id, session.id, second_factor=True)
        db.session.commit()
        return transport.signed_in(user, session, data["transport"])
