"""Bodies of registration, login, tokens and the user resource."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from auth import passwords
from schemas.fields import EmailAddress, Username, code_field, recovery_code_field

# The policy's own minimum is checked in validates_schema; this bound keeps huge bodies
# away from the hash (and from passlib's 4,096-byte limit).
PASSWORD_LENGTH = validate.Length(max=1024)


def password_field(example: str = "correct horse battery staple") -> fields.String:
    """A password in a body: never in an answer, and bounded before any work on it."""
    return fields.String(
        required=True, load_only=True, validate=PASSWORD_LENGTH, metadata={"example": example}
    )


class CredentialsSchema(Schema):
    username = Username(required=True, metadata={"example": "alice"})
    password = password_field()


def transport_field() -> fields.String:
    return fields.String(
        load_default="body",
        validate=validate.OneOf(["body", "cookie"]),
        metadata={
            "description": "body: the tokens in the answer; cookie: as httpOnly cookies "
            "(for browsers), with CSRF cookies for the X-CSRF-TOKEN header"
        },
    )


class LoginSchema(CredentialsSchema):
    transport = transport_field()


class RegisterSchema(CredentialsSchema):
    """The credentials, an optional e-mail, and the password policy."""

    # The policy's length, in the document too (the default FLASK_PASSWORD_MIN_LENGTH); the
    # other rules (common passwords, the username) only a 422 can say.
    password = fields.String(
        required=True,
        load_only=True,
        validate=PASSWORD_LENGTH,
        metadata={"example": "correct horse battery staple", "minLength": 8},
    )
    email = EmailAddress(
        load_default=None,
        metadata={
            "example": "alice@example.com",
            "description": "Sent a verification link; required with REQUIRE_VERIFIED_EMAIL",
        },
    )

    @validates_schema
    def _password_policy(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = passwords.policy_errors(data["password"], data["username"])
        if errors:
            raise ValidationError(errors, field_name="password")


class ReauthenticateSchema(Schema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=PASSWORD_LENGTH,
        metadata={"example": "correct horse battery staple"},
    )
    # With a second factor active, one of the two as well (else 403 mfa_required).
    code = code_field()
    recovery_code = recovery_code_field()


class AccessTokenSchema(Schema):
    access_token = fields.String(metadata={"description": "Fresh bearer token, 15 minutes"})


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True, validate=PASSWORD_LENGTH)
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD_LENGTH)


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    is_admin = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    email = fields.String(dump_only=True, allow_none=True)
    email_verified = fields.Boolean(dump_only=True)


class RegisteredSchema(Schema):
    message = fields.String(metadata={"example": "User created."})
    id = fields.Integer(metadata={"example": 1})


class TokensSchema(Schema):
    """RFC 6749 §5.1's token response, with the refresh token's lifetime beside it. With
    `"transport": "cookie"` the tokens are set as cookies instead, and token_type is
    `cookie`."""

    access_token = fields.String(
        metadata={"description": "Bearer token, 15 minutes by default (absent with cookies)"}
    )
    token_type = fields.String(
        required=True,
        validate=validate.OneOf(["Bearer", "cookie"]),
        metadata={"example": "Bearer"},
    )
    expires_in = fields.Integer(
        required=True, metadata={"description": "Seconds the access token lives", "example": 900}
    )
    refresh_token = fields.String(
        metadata={"description": "For POST /refresh only; spent on use (absent with cookies)"}
    )
    refresh_expires_in = fields.Integer(
        required=True,
        metadata={"description": "Seconds the refresh token lives", "example": 2592000},
    )


class MessageSchema(Schema):
    message = fields.String()
