"""The JWKS document and the introspection exchange (RFC 7517, RFC 7662)."""

from marshmallow import Schema, fields, validate

# Far above any token this app issues; a longer one is refused before it is decoded.
MAX_TOKEN_LENGTH = 8192


class JwksSchema(Schema):
    keys = fields.List(fields.Dict(), metadata={"description": "Public keys as JWKs"})


class IntrospectionRequestSchema(Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(max=MAX_TOKEN_LENGTH),
        metadata={"description": "An access or refresh token"},
    )
    token_type_hint = fields.String(load_default=None, validate=validate.Length(max=64))


class IntrospectionSchema(Schema):
    active = fields.Boolean(required=True)
    sub = fields.String()
    exp = fields.Integer()
    jti = fields.String()
    sid = fields.String()
    type = fields.String()
