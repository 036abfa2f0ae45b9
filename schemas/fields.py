"""Fields shared by the schemas."""

import unicodedata
from typing import Any

from marshmallow import ValidationError, fields, validate

# Ids are the databases' 32-bit INTEGER: anything larger names nothing, and would
# overflow the driver or the column instead of answering 404 or 422.
MAX_ID = 2**31 - 1


def id_field(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class TrimmedString(fields.String):
    """A string with surrounding white space removed, and no control characters."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(unicodedata.category(char).startswith("C") for char in text):
            raise ValidationError("Must not contain control or unassigned characters.")
        return text


class Username(TrimmedString):
    """NFKC-normalised, so that look-alike spellings of one name are one name."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs))
        if not 1 <= len(text.casefold()) <= 80:
            raise ValidationError("Must be 1 to 80 characters long.")
        return text
