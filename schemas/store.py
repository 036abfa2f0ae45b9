"""A store, with its items and tags."""

from marshmallow import fields

from schemas.plain import PlainItemSchema, PlainStoreSchema, PlainTagSchema


class StoreSchema(PlainStoreSchema):
    owner_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Who may change its items and tags (null: admins only)"},
    )
    items = fields.List(fields.Nested(PlainItemSchema()), dump_only=True)
    tags = fields.List(fields.Nested(PlainTagSchema()), dump_only=True)
