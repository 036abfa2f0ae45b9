"""Passkeys: adding one to the account, listing and removing them, signing in with one
alone, and proving it is still you with one (WebAuthn; see auth/passkeys.py)."""

from typing import NoReturn

from flask import Response
from flask.views import MethodView
from flask_jwt_extended import get_jwt

from auth import passkeys, tokens, transport
from auth.passkeys import PasskeyError
from auth.permissions import caller, protected
from auth.throttling import credential_limits
from extensions import db
from models import Passkey, User
from schemas.passkey import (
    CreationOptionsSchema,
    PasskeyCreatedSchema,
    PasskeyCreateSchema,
    PasskeyLoginSchema,
    PasskeyReauthenticateSchema,
    PasskeySchema,
    RequestOptionsSchema,
)
from schemas.user import AccessTokenSchema, TokensSchema
from web.api import abort
from web.blueprint import Blueprint

blp = Blueprint("passkeys", __name__, description="Passkeys (WebAuthn): sign in with no password")


def _refused(error: PasskeyError) -> NoReturn:
    abort(error.status, error.message, error=error.error)


@blp.route("/me/passkeys/options")
class PasskeyCreationOptions(MethodView):
    @protected(blp, fresh=True)
    @blp.response(200, CreationOptionsSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self) -> dict:
        """Start adding a passkey: options for navigator.credentials.create(), with a
        challenge good for one registration within 5 minutes"""
        user = db.get_or_404(User, caller().id, description="No such user.")
        try:
            return passkeys.registration_options(user)
        except PasskeyError as error:
            _refused(error)


@blp.route("/me/passkeys")
class Passkeys(MethodView):
    @protected(blp)
    @blp.response(200, PasskeySchema(many=True))
    def get(self) -> list[Passkey]:
        """The caller's passkeys"""
        return passkeys.listing(caller().id)

    @protected(blp)
    @blp.arguments(PasskeyCreateSchema)
    @blp.response(201, PasskeyCreatedSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict) -> Passkey:
        """Finish adding a passkey: the credential navigator.credentials.create() returned
        for the options' challenge (400 `invalid_challenge` or `invalid_credential`)"""
        try:
            return passkeys.register(
                caller().id, get_jwt()["sid"], data["credential"], data["name"]
            )
        except PasskeyError as error:
            _refused(error)


@blp.route("/me/passkeys/<id:passkey_id>")
class PasskeyById(MethodView):
    @protected(blp, fresh=True)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, passkey_id: int) -> None:
        """Remove one of the caller's passkeys: it signs nobody in from now on"""
        # Another user's passkey and no passkey at all get the same 404.
        if not passkeys.remove(caller().id, get_jwt()["sid"], passkey_id):
            abort(404, "No such passkey.")


@blp.route("/login/passkey/options")
class PasskeyRequestOptions(MethodView):
    decorators = credential_limits

    @blp.response(200, RequestOptionsSchema)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self) -> dict:
        """Start signing in with a passkey: options for navigator.credentials.get(), with a
        challenge good for one sign-in within 5 minutes (throttled per client address with
        /login)"""
        return passkeys.authentication_options()


@blp.route("/login/passkey")
class PasskeyLogin(MethodView):
    decorators = credential_limits

    @blp.arguments(PasskeyLoginSchema)
    @blp.response(200, TokensSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict | Response:
        """Sign in with a passkey alone (it is both factors): the usual tokens, fresh. 401
        `invalid_challenge`, `unknown_credential`, `passkey_invalid`, `passkey_locked` or
        `sign_count_regressed`"""
        try:
            user, session = passkeys.sign_in(data["credential"])
        except PasskeyError as error:
            _refused(error)
        return transport.signed_in(user, session, data["transport"])


@blp.route("/reauthenticate/passkey/options")
class PasskeyReauthenticationOptions(MethodView):
    decorators = credential_limits

    @protected(blp)
    @blp.response(200, RequestOptionsSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self) -> dict:
        """Start proving it is you with a passkey (sudo mode): options for
        navigator.credentials.get() listing the caller's passkeys, with a challenge good for
        one POST /reauthenticate/passkey of the caller within 5 minutes. 409 `no_passkey`
        when the caller has no usable passkey"""
        user = db.get_or_404(User, caller().id, description="No such user.")
        try:
            return passkeys.reauthentication_options(user)
        except PasskeyError as error:
            _refused(error)


@blp.route("/reauthenticate/passkey")
class PasskeyReauthenticate(MethodView):
    decorators = credential_limits

    @protected(blp)
    @blp.arguments(PasskeyReauthenticateSchema)
    @blp.response(200, AccessTokenSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict | Response:
        """Prove it is you with one of your passkeys instead of the password (it is both
        factors, so no code is asked): a fresh access token for this same session, as
        POST /reauthenticate gives; as a cookie when the session uses cookies. 401
        `invalid_challenge`, `unknown_credential` (not one of the caller's passkeys),
        `passkey_invalid`, `passkey_locked` or `sign_count_regressed`"""
        claims, principal = get_jwt(), caller()
        try:
            passkeys.reauthenticate(principal.id, claims["sid"], data["credential"])
        except PasskeyError as error:
            _refused(error)
        token = tokens.issue_fresh_access(principal.id, principal.is_admin, claims["sid"])
        if transport.by_cookie():
            return transport.in_cookies({"access_token": token})
        return {"access_token": token}
