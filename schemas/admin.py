"""Administration: users as admins see them, the lock and role bodies, security events."""

from marshmallow import Schema, fields, validate

from schemas.fields import MAX_ID, Instant, StrictBoolean, TrimmedString

EVENT_NAME_MAX = 64


class AdminUserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    email = fields.String(dump_only=True, allow_none=True)
    email_verified = fields.Boolean(dump_only=True)
    is_admin = fields.Boolean(dump_only=True)
    locked = fields.Boolean(dump_only=True)
    lock_reason = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)
    active_sessions = fields.Integer(
        dump_only=True, metadata={"description": "Sessions neither ended nor expired"}
    )


class UserQueryArgsSchema(Schema):
    # Compared as a literal substring (LIKE with escapes), so any printable text will do.
    # Control characters are refused like in a body: PostgreSQL cannot take a NUL at all.
    q = TrimmedString(
        max_length=254,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "Part of the username or e-mail address, any case"},
    )


class LockSchema(Schema):
    reason = TrimmedString(
        max_length=200,
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Why, for the record (at most 200 characters)"},
    )


class AdminUserUpdateSchema(Schema):
    is_admin = StrictBoolean(required=True, metadata={"description": "JSON true or false"})


class EventSchema(Schema):
    id = fields.Integer(dump_only=True)
    time = fields.DateTime(dump_only=True)
    event = fields.String(dump_only=True, metadata={"example": "login"})
    user_id = fields.Integer(dump_only=True, allow_none=True)
    sid = fields.String(dump_only=True, allow_none=True, metadata={"description": "Session"})
    ip = fields.String(dump_only=True, allow_none=True, metadata={"description": "Client"})
    user_agent = fields.String(dump_only=True, allow_none=True)
    details = fields.Dict(dump_only=True, allow_none=True)


class EventQueryArgsSchema(Schema):
    user_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only this user's events"},
    )
    event = TrimmedString(
        max_length=EVENT_NAME_MAX,
        validate=validate.Length(min=1, max=EVENT_NAME_MAX),
        metadata={"description": "Only events of this name", "example": "login_failed"},
    )
    since = Instant(metadata={"description": "At or after (ISO 8601; UTC if no offset)"})
    until = Instant(metadata={"description": "Before (ISO 8601; UTC if no offset)"})
