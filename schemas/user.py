"""Bodies of registration, login, tokens and the user resource."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from auth import passwords
from schemas.fields import EmailAddress, Username

# The policy's own minimum is checked in validates_schema; this bound keeps huge bodies
# away from the hash (and from passlib's 4,096-byte limit).
PASSWORD_LENGTH = validate.Length(max=1024)


class CredentialsSchema(Schema):
    username = Username(required=True, metadata={"example": "alice"})
    password = fields.String(
        required=True,
        load_only=True,
        validate=PASSWORD_LENGTH,
        metadata={"example": "correct horse battery staple"},
    )


class LoginSchema(CredentialsSchema):
    transport = fields.String(
        load_default="body",
        validate=validate.OneOf(["body", "cookie"]),
        metadata={
            "description": "body: the tokens in the answer; cookie: as httpOnly cookies "
            "(for browsers), with CSRF cookies for the X-CSRF-TOKEN header"
        },
    )


class RegisterSchema(CredentialsSchema):
    """The credentials, an optional e-mail, and the password policy."""

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
    access_token = fields.String(metadata={"description": "Bearer token, 15 minutes"})
    refresh_token = fields.String(metadata={"description": "For POST /refresh, 30 days"})
    token_type = fields.String(
        metadata={"description": "cookie: the tokens were set as cookies, not in this body"}
    )
    expires_in = fields.Integer(metadata={"description": "Seconds the access token lives"})
    refresh_expires_in = fields.Integer(
        metadata={"description": "Seconds the session's refresh token lives"}
    )


class MessageSchema(Schema):
    message = fields.String()
