"""Fields shared by the schemas."""

import unicodedata
from typing import Any

from marshmallow import ValidationError, fields, validate

from auth.accounts import (
    USERNAME_MAX_INPUT,
    USERNAME_MAX_LENGTH,
    UsernameError,
    normalize_username,
)
from models.types import MAX_ID


def id_field(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# What the document can say of TrimmedString: no C0/C1 control character, and something
# left once white space is trimmed. (Other refusals, such as unassigned code points, it
# cannot express; they are 422s like these.)
NO_CONTROLS = "[^\\u0000-\\u001f\\u007f-\\u009f]"
TRIMMED_PATTERN = f"^{NO_CONTROLS}*[^\\s\\u0000-\\u001f\\u007f-\\u009f]{NO_CONTROLS}*$"


class TrimmedString(fields.String):
    """A string with surrounding white space removed, and no control characters."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": TRIMMED_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(unicodedata.category(char).startswith("C") for char in text):
            raise ValidationError("Must not contain control or unassigned characters.")
        return text


class Username(TrimmedString):
    """Normalised by the accounts' one rule (auth.accounts.normalize_username)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and len(value) > USERNAME_MAX_INPUT:
            # Refused before the character checks below, which cost per character too.
            raise ValidationError(f"Must be 1 to {USERNAME_MAX_LENGTH} characters long.")
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalize_username(text)
        except UsernameError as error:
            raise ValidationError(str(error)) from error
