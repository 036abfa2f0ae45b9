"""Passkeys: the WebAuthn options handed to the browser, the credentials it returns, and
the passkey resource. Options and credentials are WebAuthn's JSON forms (camelCase,
binary values as base64url), as PublicKeyCredential.toJSON() and parseCreationOptionsFromJSON()
have them."""

from marshmallow import Schema, fields, validate

from schemas.fields import TrimmedString

CREDENTIAL = (
    "The PublicKeyCredential the browser returned, in its JSON form (toJSON()): `id`, "
    "`rawId`, `type` (`public-key`) and `response`, binary values base64url-encoded"
)


class PasskeyCreatedSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True, metadata={"example": "Laptop"})
    created_at = fields.DateTime(dump_only=True)


class PasskeySchema(PasskeyCreatedSchema):
    last_used_at = fields.DateTime(dump_only=True, allow_none=True)
    transports = fields.List(
        fields.String(),
        dump_only=True,
        metadata={"description": "How the authenticator is reached: internal, usb, hybrid..."},
    )
    locked = fields.Boolean(
        dump_only=True,
        metadata={"description": "Its signature counter went backwards: it signs nobody in"},
    )


class PasskeyCreateSchema(Schema):
    credential = fields.Dict(
        required=True,
        metadata={
            "description": f"{CREDENTIAL}; `response` has `clientDataJSON`, "
            "`attestationObject` and optionally `transports`"
        },
    )
    name = TrimmedString(
        max_length=64,
        load_default=None,
        validate=validate.Length(min=1, max=64),
        metadata={"example": "Laptop", "description": "Default: Passkey"},
    )


class PasskeyLoginSchema(Schema):
    credential = fields.Dict(
        required=True,
        metadata={
            "description": f"{CREDENTIAL}; `response` has `clientDataJSON`, "
            "`authenticatorData`, `signature` and `userHandle`"
        },
    )
    transport = fields.String(
        load_default="body",
        validate=validate.OneOf(["body", "cookie"]),
        metadata={
            "description": "body: the tokens in the answer; cookie: as httpOnly cookies "
            "(for browsers), with CSRF cookies for the X-CSRF-TOKEN header"
        },
    )


class PasskeyReauthenticateSchema(Schema):
    credential = fields.Dict(
        required=True,
        metadata={
            "description": f"{CREDENTIAL}; the answer to POST /reauthenticate/passkey/options, "
            "made by one of the caller's passkeys"
        },
    )


class RelyingPartySchema(Schema):
    id = fields.String(metadata={"description": "The RP ID: WEBAUTHN_RP_ID"})
    name = fields.String()


class PasskeyUserSchema(Schema):
    id = fields.String(metadata={"description": "The user handle, base64url (random)"})
    name = fields.String()
    displayName = fields.String()


class CredentialParameterSchema(Schema):
    type = fields.String(metadata={"example": "public-key"})
    alg = fields.Integer(metadata={"description": "COSE algorithm: -7 ES256, -8 EdDSA, -257 RS256"})


class CredentialDescriptorSchema(Schema):
    id = fields.String(metadata={"description": "A credential id, base64url"})
    type = fields.String(metadata={"example": "public-key"})
    transports = fields.List(fields.String())


class AuthenticatorSelectionSchema(Schema):
    residentKey = fields.String(metadata={"example": "required"})
    requireResidentKey = fields.Boolean()
    userVerification = fields.String(metadata={"example": "required"})


class CreationOptionsSchema(Schema):
    """PublicKeyCredentialCreationOptions in JSON form, for navigator.credentials.create()."""

    rp = fields.Nested(RelyingPartySchema)
    user = fields.Nested(PasskeyUserSchema)
    challenge = fields.String(metadata={"description": "base64url; single-use, 5 minutes"})
    pubKeyCredParams = fields.List(fields.Nested(CredentialParameterSchema))
    timeout = fields.Integer(metadata={"description": "Milliseconds", "example": 300000})
    excludeCredentials = fields.List(
        fields.Nested(CredentialDescriptorSchema),
        metadata={"description": "The account's passkeys, not to be registered twice"},
    )
    authenticatorSelection = fields.Nested(AuthenticatorSelectionSchema)
    attestation = fields.String(metadata={"example": "none"})


class RequestOptionsSchema(Schema):
    """PublicKeyCredentialRequestOptions in JSON form, for navigator.credentials.get()."""

    challenge = fields.String(metadata={"description": "base64url; single-use, 5 minutes"})
    timeout = fields.Integer(metadata={"description": "Milliseconds", "example": 300000})
    rpId = fields.String()
    allowCredentials = fields.List(
        fields.Nested(CredentialDescriptorSchema),
        metadata={
            "description": "Signing in: empty, any discoverable passkey for this RP ID. "
            "Reauthenticating: the caller's own passkeys, and no other is accepted"
        },
    )
    userVerification = fields.String(metadata={"example": "required"})
