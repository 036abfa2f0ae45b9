"""Tokens for other services: the public keys (JWKS) and token introspection."""

from flask import request
from flask.views import MethodView
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt import PyJWTError

from auth import credentials, sessions
from auth.keys import keyring
from auth.revocation import current_blocklist
from auth.throttling import client_limits
from schemas.key import IntrospectionRequestSchema, IntrospectionSchema, JwksSchema
from web.api import abort
from web.blueprint import Blueprint

INTROSPECTED = ("sub", "exp", "jti", "sid", "type")

blp = Blueprint("keys", __name__, description="For services that verify this API's tokens")


@blp.route("/.well-known/jwks.json")
class Jwks(MethodView):
    @blp.response(200, JwksSchema, headers={"Cache-Control": {"schema": {"type": "string"}}})
    def get(self) -> tuple[dict, int, dict]:
        """The public keys that may still verify a live token (empty with HS256)"""
        ring = keyring()
        # Brief: a rotation shows up within five minutes, which is the grace that
        # the previous key keeps anyway.
        return ring.jwks() if ring else {"keys": []}, 200, {"Cache-Control": "public, max-age=300"}


_BODY_SCHEMA = {
    "type": "object",
    "required": ["token"],
    "properties": {"token": {"type": "string"}, "token_type_hint": {"type": "string"}},
}
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {"schema": _BODY_SCHEMA},
        "application/json": {"schema": _BODY_SCHEMA},
    },
}


@blp.route("/introspect")
class Introspect(MethodView):
    decorators = client_limits

    @blp.response(200, IntrospectionSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    @blp.doc(security=[{"introspectionServiceCredential": []}], requestBody=_REQUEST_BODY)
    def post(self) -> dict:
        """Whether a token is active, revocation included (RFC 7662; client credential)"""
        # Anonymous introspection would be an oracle for stolen tokens.
        if not credentials.check_client():
            message = "Introspection needs the client credential (HTTP Basic)."
            abort(401, message, error="invalid_client")
        # RFC 7662 posts a form; JSON is accepted too. Parsed here, with the strict
        # parser, because flask-smorest cannot document a body of either kind.
        data = Blueprint.ARGUMENTS_PARSER.parse(
            IntrospectionRequestSchema(), request, location="json_or_form"
        )
        token = data["token"]
        try:
            claims = decode_token(token)  # signature, key id, expiry, issuer, audience, shape
        except (PyJWTError, JWTExtendedException, ValueError):
            return {"active": False}
        check = current_blocklist().check(claims)
        if check.principal is None or check.revoked or sessions.is_spent(claims, check):
            return {"active": False}
        return {
            "active": True,
            **{key: claims[key] for key in ("sub", "exp", "jti", "sid", "type")},
        }
