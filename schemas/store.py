"""A store, with its items and tags."""

from marshmallow import fields

from schemas.plain import PlainItemSchema, PlainStoreSchema, PlainTagSchema


class StoreSchema(PlainStoreSchema):
    items = fields.List(fields.Nested(PlainItemSchema()), dump_only=True)
    tags = fields.List(fields.Nested(PlainTagSchema()), dump_only=True)
