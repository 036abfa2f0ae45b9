"""Account recovery: verify an e-mail address, reset a forgotten password, change the address."""

from flask.views import MethodView

from auth import account_tokens, accounts, passwords, recovery
from auth.permissions import caller, protected
from auth.throttling import forgot_limits, recovery_limits, resend_limit
from extensions import db
from models import User
from schemas.recovery import (
    EmailChangeSchema,
    ForgotPasswordSchema,
    ResetPasswordSchema,
    VerifiedEmailSchema,
    VerifyEmailSchema,
)
from schemas.user import MessageSchema
from web.api import abort
from web.blueprint import Blueprint

blp = Blueprint("recovery", __name__, description="E-mail verification and password reset")

ACCEPTED = "If an account matches, a message with a reset link is on its way."
BAD_TOKEN = "The link is invalid or has expired: ask for a new one."


@blp.route("/password/forgot")
class ForgotPassword(MethodView):
    decorators = forgot_limits

    @blp.arguments(ForgotPasswordSchema)
    @blp.response(202, MessageSchema)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict:
        """Ask for a password reset link, by e-mail address or username (same answer whether
        or not an account matches)"""
        if "email" in data:
            user = accounts.find_by_email(data["email"])
        else:
            user = accounts.find_by_username(data["username"])
        recovery.request_reset(user)
        return {"message": ACCEPTED}


@blp.route("/password/reset")
class ResetPassword(MethodView):
    decorators = recovery_limits

    @blp.arguments(ResetPasswordSchema)
    @blp.response(200, MessageSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict:
        """Set a new password with the token of a reset link; every session ends"""
        pending = account_tokens.peek(data["token"], account_tokens.RESET_PASSWORD)
        if pending is None:
            abort(400, BAD_TOKEN, error="invalid_or_expired_token")
        user = db.session.get(User, pending.user_id)
        assert user is not None
        # A refused password leaves the token unspent: the person tries another.
        errors = passwords.policy_errors(data["new_password"], user.username)
        if errors:
            abort(422, "The new password is refused.", errors={"json": {"new_password": errors}})
        if not recovery.reset_password(user.id, data["token"], data["new_password"]):
            abort(400, BAD_TOKEN, error="invalid_or_expired_token")
        return {"message": "Password changed; every session was signed out."}


@blp.route("/email/verify")
class VerifyEmail(MethodView):
    decorators = recovery_limits

    @blp.arguments(VerifyEmailSchema)
    @blp.response(200, VerifiedEmailSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict:
        """Confirm an e-mail address with the token of a verification link"""
        try:
            user = recovery.verify_email(data["token"])
        except recovery.EmailTakenError:
            abort(409, "Another account uses this address now.", error="email_taken")
        if user is None:
            abort(400, BAD_TOKEN, error="invalid_or_expired_token")
        return {"message": "E-mail address verified.", "email": user.email}


@blp.route("/email/verify/resend")
class ResendVerification(MethodView):
    @protected(blp)
    @resend_limit
    @blp.response(202, MessageSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self) -> dict:
        """Send a new verification link to the caller's unverified address"""
        user = db.session.get(User, caller().id)
        assert user is not None
        if user.email is None:
            message = "The account has no e-mail address: set one with POST /me/email."
            abort(409, message, error="email_required")
        if user.email_verified:
            abort(409, "The address is already verified.", error="already_verified")
        recovery.send_verification(user, user.email)
        return {"message": "A verification link is on its way."}


@blp.route("/me/email")
class MyEmail(MethodView):
    @protected(blp, fresh=True)
    @blp.arguments(EmailChangeSchema)
    @blp.response(202, MessageSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict) -> dict:
        """Change the caller's address: it takes effect when the link sent to it is opened"""
        user = db.session.get(User, caller().id)
        assert user is not None
        if accounts.email_taken(data["email"], by_other_than=user.id):
            abort(409, "Another account uses this address.", error="email_taken")
        same = user.email and accounts.email_key(user.email) == accounts.email_key(data["email"])
        if same and user.email_verified:
            abort(409, "This is already the account's verified address.", error="already_verified")
        recovery.request_email_change(user, data["email"])
        return {"message": "A verification link was sent to the new address."}
