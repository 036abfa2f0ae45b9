"""Checks made once when a server or the `flask` command starts: each failure is one line."""

import logging

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from extensions import db

log = logging.getLogger("startup")


class StartupError(RuntimeError):
    """The app cannot serve; the message says what to fix."""


def check_database(app: Flask) -> None:
    """DATABASE_URL answers a query."""
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            # The driver's first line ("connection refused", "database ... does not exist");
            # the URL is shown without its password.
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise StartupError(f"DATABASE_URL: cannot connect to {_safe_url()}: {reason}") from None


def check_migrated(app: Flask) -> None:
    """The database is at the newest migration, so no request meets a missing table."""
    with app.app_context():
        alembic = AlembicConfig()
        alembic.set_main_option("script_location", app.extensions["migrate"].directory)
        heads = set(ScriptDirectory.from_config(alembic).get_heads())
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        url = _safe_url()
    if current != heads:
        raise StartupError(
            f"DATABASE_URL: {url} is at migration {', '.join(current) or 'none'}, "
            f"not {', '.join(heads)}: run `flask --app app db upgrade` first"
        )


def warn_redis(app: Flask) -> None:
    """An unreachable Redis is a warning, not a refusal: it may come up after the app,
    and until it does /health/ready answers 503 and so do the throttled endpoints (their
    counters are there); revocation and every other request go on."""
    url = app.config["REDIS_URL"]
    if not url:
        return
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as error:
        log.warning("REDIS_URL: Redis does not answer (%s); not ready until it does", error)
    finally:
        client.close()


def _safe_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)
