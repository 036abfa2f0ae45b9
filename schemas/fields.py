"""Fields shared by the schemas."""

import unicodedata
from typing import Any

from marshmallow import ValidationError, fields, validate

from auth.accounts import (
    USERNAME_MAX_INPUT,
    USERNAME_MAX_LENGTH,
    UsernameError,
    email_key,
    normalize_username,
)
from models.types import MAX_ID


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


class EmailAddress(fields.Email):
    """An e-mail address (RFC 5321 §4.5.3.1.3: at most 254 characters) whose domain has an
    ASCII form, with no control or invisible characters anywhere."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"example": "alice@example.com"})
        super().__init__(validate=validate.Length(max=254), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and len(value) > 254:
            raise ValidationError("Longer than maximum length 254.")  # before any per-char work
        text = super()._deserialize(value, attr, data, **kwargs)
        if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
            raise ValidationError("Must not contain control or invisible characters.")
        try:
            email_key(text)
        except UnicodeError as error:
            raise ValidationError("The domain is not a valid internationalised name.") from error
        return text.strip()
