"""The plain shapes of stores, items and tags: what each shows when nested in another."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from schemas.fields import Price, TrimmedString


def name_field(example: str) -> TrimmedString:
    return TrimmedString(
        required=True,
        max_length=80,
        validate=validate.Length(min=1, max=80),
        metadata={"example": example},
    )


MAX_PRICE = Decimal("99999999.99")  # what Numeric(10, 2) holds


def _price_in_range(value: Decimal) -> None:
    # A plain function, not validate.Range: apispec would render its bounds as strings.
    if not 0 <= value <= MAX_PRICE:
        raise ValidationError(f"Must be between 0 and {MAX_PRICE}.")


def price_field() -> Price:
    # Two places, as the column stores them; never negative, never NaN or infinite.
    return Price(
        required=True,
        places=2,
        as_string=True,
        allow_nan=False,
        validate=_price_in_range,
        metadata={
            "type": "string",
            "format": "decimal",
            "example": "19.99",
            "description": f"0 to {MAX_PRICE}, at most two places, ASCII digits only; "
            "a JSON number is accepted too.",
            "pattern": r"^[0-9]{1,8}(\.[0-9]{1,2})?$",
        },
    )


class PlainStoreSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = name_field("Corner shop")


class PlainItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = name_field("Chair")
    price = price_field()


class PlainTagSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = name_field("furniture")
