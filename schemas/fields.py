"""Fields shared by the schemas."""

import re
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
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


def code_field(required: bool = False) -> fields.String:
    """A second factor's code: past 32 characters a 422; within them, not 6 digits, a wrong
    code (400 invalid_code)."""
    return fields.String(
        required=required,
        load_only=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "The 6 digits the authenticator app shows", "example": "123456"},
    )


def recovery_code_field() -> fields.String:
    return fields.String(
        load_only=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "One of the recovery codes (each works once)",
            "example": "3f9a1c2e-0b7d4e61-9a2c5f08-d41e7b93",
        },
    )


# What the document can say of TrimmedString: no C0/C1 control character, and something
# left once white space is trimmed. (Other refusals, such as unassigned code points, it
# cannot express; they are 422s like these.)
NO_CONTROLS = "[^\\u0000-\\u001f\\u007f-\\u009f]"
TRIMMED_PATTERN = f"^{NO_CONTROLS}*[^\\s\\u0000-\\u001f\\u007f-\\u009f]{NO_CONTROLS}*$"


class TrimmedString(fields.String):
    """A string with surrounding white space removed, and no control characters.

    With `max_length`, anything longer than that plus some surrounding space is refused
    before the per-character checks: one request's cost must not grow with its body.
    """

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": TRIMMED_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if self.max_length and isinstance(value, str) and len(value) > 4 * self.max_length:
            raise ValidationError(f"Must be 1 to {self.max_length} characters long.")
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(unicodedata.category(char).startswith("C") for char in text):
            raise ValidationError("Must not contain control or unassigned characters.")
        return text


class StrictBoolean(fields.Boolean):
    """JSON true or false, nothing else: marshmallow's Boolean also reads "yes", "on",
    "t", "TRUE" or 1 as true, and a role must not be granted by a word that happens to be
    on its list."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


class Instant(fields.AwareDateTime):
    """An ISO 8601 date and time (UTC when it has no offset), loaded as an aware UTC
    datetime. One whose UTC form falls outside years 1 to 9999 (9999-12-31T23:59:59-14:00)
    is refused here: converting it later, when it is bound to a query, would overflow."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError as error:
            raise ValidationError("Out of range: in UTC it must be in years 1 to 9999.") from error


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


# ASCII digits only (str.isdigit and Decimal() take Arabic-Indic and other digits, and
# Decimal() takes "1_000"), at most two places: what Numeric(10, 2) stores, never rounded.
_PRICE = r"[0-9]{1,8}(\.[0-9]{1,2})?"
PRICE_FORMAT = 'Must be a decimal with at most two places in ASCII digits, such as "19.99".'


class Price(fields.Decimal):
    """A price as a decimal string (or JSON number) with at most two places: anything that
    would be rounded or read loosely is refused, not silently changed."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError(PRICE_FORMAT)
        # repr() of a float is the shortest string that reads back as it: 19.999 stays
        # "19.999" (refused), 19.99 is "19.99".
        text = value if isinstance(value, str) else repr(value)
        if len(text) > 16 or re.fullmatch(_PRICE, text, re.ASCII) is None:
            raise ValidationError(PRICE_FORMAT)
        return super()._deserialize(text, attr, data, **kwargs)


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
