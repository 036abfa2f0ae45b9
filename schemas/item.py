"""An item, with its store and tags; the bodies that create and replace one."""

from marshmallow import Schema, fields, validate

from schemas.fields import MAX_ID, id_field
from schemas.plain import PlainItemSchema, PlainStoreSchema, PlainTagSchema, name_field, price_field


class ItemSchema(PlainItemSchema):
    store_id = id_field(required=True, load_only=True, metadata={"example": 1})
    store = fields.Nested(PlainStoreSchema(), dump_only=True)
    tags = fields.List(fields.Nested(PlainTagSchema()), dump_only=True)


class ItemUpdateSchema(Schema):
    """The body of a PUT: it replaces the name and the price, so both are required."""

    name = name_field("Chair")
    price = price_field()


class ItemQueryArgsSchema(Schema):
    store_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only the items of this store"},
    )
