"""Valid defaults for test data; override only what a test is about."""

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from auth import accounts
from extensions import db

PASSWORD = "correct horse battery staple"


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
