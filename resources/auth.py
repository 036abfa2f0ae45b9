"""Registration, login, token refresh and logout."""

from flask import Response, current_app
from flask.views import MethodView
from flask_jwt_extended import get_jwt

from auth import accounts, credentials, factors, recovery, sessions, tokens, transport
from auth.permissions import caller, protected
from auth.throttling import credential_limits, refresh_limits, register_limits
from extensions import db
from models import User
from schemas.user import (
    AccessTokenSchema,
    LoginSchema,
    MessageSchema,
    ReauthenticateSchema,
    RegisteredSchema,
    RegisterSchema,
    TokensSchema,
)
from web.api import abort
from web.blueprint import Blueprint

blp = Blueprint("auth", __name__, description="Accounts, tokens and logout")


@blp.route("/register")
class Register(MethodView):
    decorators = register_limits

    @blp.arguments(RegisterSchema)
    @blp.response(201, RegisteredSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict:
        """Create an account; with an e-mail address, a verification link is sent to it"""
        if data["email"] is None and current_app.config["REQUIRE_VERIFIED_EMAIL"]:
            missing = {"email": ["An e-mail address is required."]}
            abort(422, "An e-mail address is required.", errors={"json": missing})
        try:
            # A racing duplicate fails at the commit: IntegrityError, answered 409.
            user = accounts.create_user(data["username"], data["password"], email=data["email"])
        except accounts.UsernameTaken:
            abort(409, "A user with that username already exists.", error="username_taken")
        except accounts.EmailTaken:
            abort(409, "Another account uses this e-mail address.", error="email_taken")
        if user.email:
            recovery.send_verification(user, user.email)
        return {"message": "User created.", "id": user.id}


@blp.route("/login")
class Login(MethodView):
    decorators = credential_limits

    @blp.arguments(LoginSchema)
    @blp.response(200, TokensSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict | Response:
        """Exchange a username and password for a fresh access token and a refresh token"""
        user = accounts.find_by_username(data["username"])
        if not credentials.check_password(user, data["username"], data["password"]) or not user:
            sessions.log_event("login_failed", user.id if user else None, None)
            abort(401, "Invalid credentials.", error="invalid_credentials")
        if user.locked:
            # Only after the right password, so the lock is no oracle for a guesser.
            sessions.log_event("login_failed", user.id, None, reason="account_locked")
            abort(403, "This account is locked; contact an administrator.", error="account_locked")
        if current_app.config["REQUIRE_VERIFIED_EMAIL"] and not user.email_verified:
            # Only after the right password: the answer tells nothing to a guesser.
            message = "Verify your e-mail address first: see the link sent to it."
            abort(403, message, error="email_not_verified")
        factors.challenge_login(user)  # with a second factor: 403 mfa_required, no tokens
        session = sessions.start(user.id)
        sessions.log_event("login", user.id, session.id)
        db.session.commit()
        return transport.signed_in(user, session, data["transport"])


@blp.route("/reauthenticate")
class Reauthenticate(MethodView):
    decorators = credential_limits

    @protected(blp)
    @blp.arguments(ReauthenticateSchema)
    @blp.response(200, AccessTokenSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict | Response:
        """Prove the password again: a fresh access token for this same session (the
        answer to RFC 9470's insufficient_user_authentication challenge); as a cookie when
        the session uses cookies. With a second factor active, code or recovery_code too:
        403 mfa_required (with methods) without one, 400 invalid_code for a wrong one"""
        claims, principal = get_jwt(), caller()
        user = db.get_or_404(User, principal.id, description="No such user.")
        if not credentials.check_password(user, user.username, data["password"]):
            sessions.log_event("reauthentication_failed", user.id, claims["sid"])
            abort(401, "Invalid credentials.", error="invalid_credentials")
        factors.require(user, claims["sid"], data.get("code"), data.get("recovery_code"))
        sessions.log_event("reauthenticated", user.id, claims["sid"])
        db.session.commit()  # with a re-hashed password, a spent code, if any
        token = tokens.issue_fresh_access(user.id, user.is_admin, claims["sid"])
        if transport.by_cookie():
            return transport.in_cookies({"access_token": token})
        return {"access_token": token}


@blp.route("/refresh")
class Refresh(MethodView):
    decorators = refresh_limits

    @protected(blp, refresh=True)
    @blp.response(200, TokensSchema)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self) -> dict | Response:
        """Spend the refresh token for a new access token and a new refresh token"""
        claims, principal = get_jwt(), caller()
        new_jti = sessions.rotate(claims["sid"], claims["jti"])
        if new_jti is None:
            # Another request rotated this token first: within the reuse interval that is
            # a second tab, answered with the session's current refresh id; else a replay.
            new_jti = sessions.current_refresh_jti(claims["sid"], claims["jti"])
            if new_jti is None:
                sessions.reuse_detected(principal.id, claims["sid"])
                abort(401, "Token has been revoked.", error="token_revoked")
        sessions.log_event("refresh", principal.id, claims["sid"])
        db.session.commit()  # the rotation and its event
        issued = tokens.issue(principal.id, principal.is_admin, claims["sid"], new_jti, fresh=False)
        return transport.in_cookies(issued) if transport.by_cookie() else issued


@blp.route("/logout")
class Logout(MethodView):
    @protected(blp)
    @blp.response(200, MessageSchema)
    def post(self) -> Response:
        """End this session: its access and refresh tokens are refused from now on"""
        claims, principal = get_jwt(), caller()
        sessions.revoke_token(claims)
        sessions.revoke(principal.id, sid=claims["sid"], event="logout", event_sid=claims["sid"])
        return transport.cleared({"message": "Logged out."})


@blp.route("/logout/all")
class LogoutAll(MethodView):
    @protected(blp)
    @blp.response(200, MessageSchema)
    def post(self) -> Response:
        """End every session of the caller, on every device"""
        claims, principal = get_jwt(), caller()
        count = sessions.revoke(principal.id, event="logout_all", event_sid=claims["sid"])
        return transport.cleared({"message": f"Logged out of {count} session(s)."})
