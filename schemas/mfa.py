"""Bodies of the second-factor endpoints, and GET /me with its factors."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from schemas.fields import code_field, recovery_code_field
from schemas.user import UserSchema, transport_field


class TotpSetupSchema(Schema):
    secret = fields.String(
        metadata={"description": "Base32 TOTP secret, for typing into an app by hand"}
    )
    otpauth_uri = fields.String(
        metadata={"description": "The otpauth:// URI the QR code holds (Key Uri Format)"}
    )
    qr_svg = fields.String(metadata={"description": "The QR code, as an inline SVG document"})


class CodeSchema(Schema):
    code = code_field(required=True)


class ProofSchema(Schema):
    """A code from the authenticator app, or a recovery code: exactly one."""

    code = code_field()
    recovery_code = recovery_code_field()

    @validates_schema
    def _exactly_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("code" in data) == ("recovery_code" in data):
            raise ValidationError("Send either code or recovery_code.", field_name="code")


class MfaLoginSchema(ProofSchema):
    mfa_token = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "From POST /login's 403 mfa_required answer; 5 minutes"},
    )
    transport = transport_field()


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(
        fields.String(),
        metadata={"description": "10 single-use codes, shown this once: keep them safe"},
    )


class MfaStatusSchema(Schema):
    totp = fields.Boolean(metadata={"description": "TOTP is active: login asks for a code"})
    passkeys = fields.Integer(
        metadata={"description": "How many passkeys the account has (GET /me/passkeys)"}
    )


class MeSchema(UserSchema):
    mfa = fields.Nested(MfaStatusSchema, dump_only=True)
