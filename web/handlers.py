"""Errors raised below the views, answered in the envelope: races, outages."""

from flask import Flask, current_app
from flask.typing import ResponseReturnValue
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError, OperationalError

from extensions import db
from web.api import error_response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(RedisError, _redis_unavailable)


# A unique constraint's name (PostgreSQL) or column (SQLite) in the driver's message, and
# the error code a view gives when its own check catches the same conflict first.
_CONFLICTS = {"email_key": "email_taken", "username_key": "username_taken"}


def _integrity_error(error: IntegrityError) -> ResponseReturnValue:
    # Two requests raced past a uniqueness or reference check; the database decided.
    db.session.rollback()
    detail = str(error.orig)
    for marker, code in _CONFLICTS.items():
        if marker in detail:
            return error_response(409, "Another account already has this value.", error=code)
    return error_response(409, "The request conflicts with the current state of the resource.")


def _database_unavailable(error: OperationalError) -> ResponseReturnValue:
    db.session.rollback()
    # The driver's message ("database is locked", "connection refused"): no SQL parameters.
    current_app.logger.error("database unavailable: %s", str(error.orig).splitlines()[0])
    return error_response(503, "The database is unavailable; try again shortly.")


def _redis_unavailable(error: RedisError) -> ResponseReturnValue:
    # Redis holds the throttling counters (REDIS_URL): a throttled request that cannot be
    # counted is refused, not let through unthrottled, and whatever it wrote is rolled back.
    db.session.rollback()
    current_app.logger.error("redis unavailable: %s", error.__class__.__name__)
    return error_response(503, "The throttling store is unavailable; try again shortly.")
