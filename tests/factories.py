"""Valid defaults for test data; override only what a test is about."""

import sqlite3

import psycopg
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

import passwords
from extensions import db
from models import User

PASSWORD = "correct horse battery staple"


def make_user(app: Flask, username: str, password: str = PASSWORD, is_admin: bool = False) -> int:
    with app.app_context():
        user = User(
            username=username,
            username_key=User.key_for(username),
            password_hash=passwords.hash_password(password),
            is_admin=is_admin,
        )
        db.session.add(user)
        db.session.commit()
        return user.id


def login(client: FlaskClient, username: str, password: str = PASSWORD, **kw) -> dict[str, str]:
    response = client.post("/login", json={"username": username, "password": password}, **kw)
    assert response.status_code == 200, response.json
    return response.json


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status: int, error: str | None = None) -> dict:
    """The one error envelope, with the reason code when the test names one."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.json
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    if error is not None:
        assert body.get("error") == error, body
    return body


def count_queries(app, client, path, headers) -> int:
    """The statements the driver ran for one request, counted below SQLAlchemy: the hot
    path's direct queries (direct_query.py) skip its execution events."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(sql: str) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            statements.append(sql)

    class RecordingCursor(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            record(str(query))
            return super().execute(query, params, **kwargs)

    def install(dbapi_connection, *_):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(record)
        else:
            dbapi_connection.cursor_factory = RecordingCursor

    def uninstall(dbapi_connection, *_):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(None)
        else:
            dbapi_connection.cursor_factory = psycopg.Cursor

    event.listen(engine, "checkout", install)
    event.listen(engine, "checkin", uninstall)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "checkout", install)
        event.remove(engine, "checkin", uninstall)
    assert response.status_code == 200
    return len(statements)
