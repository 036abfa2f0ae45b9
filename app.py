"""The application factory: `flask --app app run`, or `python server.py` (granian)."""

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

import blocklist
import config
import models  # noqa: F401  (every table, for Alembic)
from auth import cli, passwords, throttling, tokens
from extensions import db, migrate
from resources import auth, health, items, keys, sessions, stores, tags, users
from web import headers, limits, swagger
from web.api import Api
from web.converters import IdConverter, id_parameter_schema
from web.handlers import register_error_handlers


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    # INSTANCE_PATH: where the generated key and the default SQLite file live.
    app = Flask(__name__, instance_path=os.getenv("INSTANCE_PATH") or None)
    config.load(app, overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    limits.init_app(app)

    blocklist.add_check_engine(app)  # before db.init_app(): it declares an engine
    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db)
    tokens.init_app(app)
    blocklist.init_app(app)
    passwords.init_app(app)
    cli.init_app(app)
    throttling.init_app(app)

    app.url_map.converters["id"] = IdConverter
    api = Api(app)  # one Api per app: it holds this app's OpenAPI spec
    api.register_converter(IdConverter, id_parameter_schema)
    for resource in (auth, users, sessions, stores, items, tags, keys, health):
        api.register_blueprint(resource.blp)
    register_error_handlers(app)
    swagger.init_app(app)
    headers.init_app(app)
    return app


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        # WAL lets readers proceed during a write; the busy timeout makes concurrent
        # writers from several workers wait their turn instead of failing.
        cursor.execute("PRAGMA busy_timeout=10000")  # first: the next pragma may wait too
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
