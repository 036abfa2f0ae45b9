"""Valid defaults for test data; override only what a test is about."""

import time

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from auth import accounts
from extensions import db

PASSWORD = "correct horse battery staple"
TOTP_STEP = 30  # seconds (RFC 6238's default, as the server uses)


def make_user(app: Flask, username: str, password: str = PASSWORD, is_admin: bool = False) -> int:
    with app.app_context():
        return accounts.create_user(username, password, is_admin=is_admin).id


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
    """The statements SQLAlchemy ran for one request (its before_cursor_execute event), on
    every engine of the app (on PostgreSQL the revocation check has its own)."""
    statements: list[str] = []
    with app.app_context():
        engines = list(db.engines.values())

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path, headers=headers)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements)


def previous_step_code(secret: str, margin: float = 2.0) -> str:
    """The TOTP code of the step before this one: the server takes it (one step of drift)
    until its own step moves on, so with less than `margin` seconds of this step left, the
    next step is awaited first (at most `margin` seconds); else a code computed just before
    a boundary would be two steps old when the server checks it."""
    left = TOTP_STEP - time.time() % TOTP_STEP
    if left < margin:
        time.sleep(left + 0.05)
    return pyotp.TOTP(secret).at(time.time() - TOTP_STEP)
