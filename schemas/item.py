"""An item, with its store and tags; the bodies that create and replace one."""

from marshmallow import Schema, fields

from schemas.plain import PlainItemSchema, PlainStoreSchema, PlainTagSchema, name_field, price_field


class ItemSchema(PlainItemSchema):
    store_id = fields.Integer(required=True, load_only=True, strict=True, metadata={"example": 1})
    store = fields.Nested(PlainStoreSchema(), dump_only=True)
    tags = fields.List(fields.Nested(PlainTagSchema()), dump_only=True)


class ItemUpdateSchema(Schema):
    """The body of a PUT: it replaces the name and the price, so both are required."""

    name = name_field("Chair")
    price = price_field()


class ItemQueryArgsSchema(Schema):
    store_id = fields.Integer(metadata={"description": "Only the items of this store"})
