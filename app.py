"""The application factory: `flask --app app run`, or `python server.py` (granian)."""

import os
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

import blocklist
import config
import models  # noqa: F401  (every table, for Alembic)
from auth import cli, events, passwords, throttling, tokens
from extensions import db, migrate
from mail import cli as mail_cli
from mail import mailer
from resources import (
    account_page,
    admin,
    auth,
    health,
    index,
    items,
    keys,
    mfa,
    passkeys,
    recovery,
    sessions,
    stores,
    tags,
    users,
)
from web import (
    access_log,
    bodies,
    cors,
    document,
    headers,
    limits,
    logs,
    metrics,
    query,
    startup,
    swagger,
)
from web.api import Api
from web.application import App
from web.converters import IdConverter, id_parameter_schema
from web.handlers import register_error_handlers


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """The app. Called without overrides it is an entry point (the server's workers, the
    `flask` command): a bad setting or an unreachable database then ends the process
    with one line saying what to fix, never a traceback."""
    try:
        return _build(overrides)
    except (config.ConfigError, startup.StartupError) as error:
        if overrides is not None:
            raise
        sys.exit(f"error: {error}")


def check_start() -> None:
    """Once, in a server's master process before any worker starts (gunicorn's
    on_starting): the settings, the database reachable and migrated, Redis (a warning)."""
    app = create_app()
    try:
        startup.check_migrated(app)
        startup.warn_redis(app)
    except startup.StartupError as error:
        sys.exit(f"error: {error}")
    finally:
        with app.app_context():
            db.engine.dispose()  # no pooled connection may be shared with forked workers


def _build(overrides: Mapping[str, Any] | None) -> Flask:
    # INSTANCE_PATH: where the generated key and the default SQLite file live.
    app = App(__name__, instance_path=os.getenv("INSTANCE_PATH") or None)
    config.load(app, overrides)
    if not app.testing:  # under pytest, pytest's capture owns logging
        logs.configure(app)
    _private_files(app)
    limits.init_app(app)

    blocklist.add_check_engine(app)  # before db.init_app(): it declares an engine
    db.init_app(app)
    events.init_app(app)  # after db.init_app(): its teardown must run first
    with app.app_context():
        # Before any connection is made (the start check below makes the first): a pooled
        # connection without them would wait for no lock and enforce no foreign key.
        event.listen(db.engine, "connect", _sqlite_pragmas)
    if overrides is None:
        startup.check_database(app)
    migrate.init_app(app, db)
    tokens.init_app(app)
    blocklist.init_app(app)
    passwords.init_app(app)
    cli.init_app(app)
    mailer.init_app(app)
    mail_cli.init_app(app)
    throttling.init_app(app)

    app.url_map.converters["id"] = IdConverter
    document.init_app(app)
    api = Api(app)  # one Api per app: it holds this app's OpenAPI spec
    api.register_converter(IdConverter, id_parameter_schema)
    query.init_app(app, api)
    for resource in (
        index,
        auth,
        mfa,
        passkeys,
        admin,
        recovery,
        users,
        sessions,
        stores,
        items,
        tags,
        keys,
        health,
    ):
        api.register_blueprint(resource.blp)
    app.register_blueprint(account_page.blp)
    register_error_handlers(app)
    cors.init_app(app)
    swagger.init_app(app)
    headers.init_app(app)
    bodies.init_app(app)
    access_log.init_app(app)
    metrics.init_app(app)
    return app


def _private_files(app: Flask) -> None:
    # The instance folder holds the password hashes (SQLite) and the signing keys: no other
    # local user may read them. SQLite gives its -wal and -shm files the database file's
    # mode, so creating that file 0600 before SQLite does covers all three.
    instance = Path(app.instance_path)
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    instance.chmod(instance.stat().st_mode & 0o700)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        if not database.parent.is_dir():
            return  # SQLite itself reports that, at the first connection
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        for path in (database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm"))):
            if path.exists():
                path.chmod(path.stat().st_mode & 0o600)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        # WAL lets readers proceed during a write; the busy timeout makes concurrent
        # writers from several workers wait their turn instead of failing.
        cursor.execute("PRAGMA busy_timeout=10000")  # first: the next pragma may wait too
        # WAL is a property of the file, kept once set. Setting it again on every new
        # connection is not free: while other workers write, SQLite can answer it
        # "database is locked" at once, without the busy timeout (a 503 seen under load).
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
