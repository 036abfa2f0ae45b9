"""The application factory: `flask --app app run`, or gunicorn "app:create_app()"."""

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import flask_swagger_ui
from flask import Flask, Response, send_from_directory
from sqlalchemy import event

import blocklist
import cli
import instance
import models  # noqa: F401  (every table, for Alembic)
import passwords
import throttling
import tokens
from blueprint import IdConverter, id_parameter_schema
from config import Config
from errors import Api, register_error_handlers
from extensions import db, migrate
from resources import auth, health, items, keys, sessions, stores, tags, users

SWAGGER_ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    # INSTANCE_PATH: where the generated key and the default SQLite file live.
    app = Flask(__name__, instance_path=os.getenv("INSTANCE_PATH") or None)
    app.config.from_object(Config)
    app.config.from_prefixed_env()  # FLASK_<KEY> overrides any key
    if overrides:  # tests pass a dict, like flaskr's create_app(test_config)
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = instance.database_url(app)
    app.config["JWT_SECRET_KEY"] = instance.jwt_secret(app)

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
    app.add_url_rule("/swagger-ui-assets/<path:filename>", "swagger_ui_assets", _swagger_asset)
    app.after_request(_security_headers)
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


def _swagger_asset(filename: str) -> Response:
    return send_from_directory(SWAGGER_ASSETS, filename, max_age=3600)


def _security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Token and account responses must never sit in a cache (RFC 6749 §5.1).
    response.headers.setdefault("Cache-Control", "no-store")
    return response
