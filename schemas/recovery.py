"""Bodies of e-mail verification, password reset and e-mail change."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import EmailAddress, Username
from schemas.user import password_field


def token_field() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "The token of the link in the message (its `token` parameter)"},
    )


class ForgotPasswordSchema(Schema):
    """One of `email` or `username`: the account whose password was forgotten."""

    email = EmailAddress()
    username = Username(metadata={"example": "alice"})

    @validates_schema
    def _exactly_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("email" in data) == ("username" in data):
            raise ValidationError("Give either email or username.", field_name="_schema")


class ResetPasswordSchema(Schema):
    token = token_field()
    new_password = password_field("another long passphrase")


class VerifyEmailSchema(Schema):
    token = token_field()


class EmailChangeSchema(Schema):
    email = EmailAddress(required=True)


class VerifiedEmailSchema(Schema):
    message = fields.String(metadata={"example": "E-mail address verified."})
    email = fields.String(metadata={"example": "alice@example.com"})
