"""A tag, with its store and items; the answer to linking and unlinking."""

from marshmallow import Schema, fields

from schemas.item import ItemSchema
from schemas.plain import PlainItemSchema, PlainStoreSchema, PlainTagSchema


class TagSchema(PlainTagSchema):
    store_id = fields.Integer(dump_only=True)
    store = fields.Nested(PlainStoreSchema(), dump_only=True)
    items = fields.List(fields.Nested(PlainItemSchema()), dump_only=True)


class TagAndItemSchema(Schema):
    message = fields.String()
    item = fields.Nested(ItemSchema())
    tag = fields.Nested(TagSchema())
