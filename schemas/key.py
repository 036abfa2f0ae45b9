"""The JWKS document and the introspection exchange (RFC 7517, RFC 7662)."""

from marshmallow import Schema, fields


class JwksSchema(Schema):
    keys = fields.List(fields.Dict(), metadata={"description": "Public keys as JWKs"})


class IntrospectionRequestSchema(Schema):
    token = fields.String(required=True, metadata={"description": "An access or refresh token"})
    token_type_hint = fields.String(load_default=None)


class IntrospectionSchema(Schema):
    active = fields.Boolean(required=True)
    sub = fields.String()
    exp = fields.Integer()
    jti = fields.String()
    sid = fields.String()
    type = fields.String()
