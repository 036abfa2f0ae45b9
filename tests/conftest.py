"""Fixtures: a new app, and so a new empty database, for every test."""

import atexit
import os

# create_app reads a .env file as the `flask` command does; the suite must not.
os.environ["FLASK_SKIP_DOTENV"] = "1"
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from extensions import db
from tests import factories

# PyJWT warns about HMAC keys under 32 bytes, and warnings are errors here.
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
PASSWORD = factories.PASSWORD
# Set by `make test-services` (and .ci/run) to run the whole suite on PostgreSQL + Redis.
# Otherwise a file of the suite's own, never the instance folder's app.db that `make run`
# serves (the tests drop every table), and a file rather than memory so that each
# connection sees the same database, as a server's workers do.
_SCRATCH = tempfile.mkdtemp(prefix="jwt-api-tests-")
atexit.register(shutil.rmtree, _SCRATCH, True)
# The app's instance folder too (the outbox's .eml files, a generated key): the suite
# writes nothing into the checkout. A test that needs its own sets it again.
os.environ["INSTANCE_PATH"] = f"{_SCRATCH}/instance"
DATABASE_URL = os.getenv("TEST_DATABASE_URL") or f"sqlite:///{_SCRATCH}/test.db"
REDIS_URL = os.getenv("TEST_REDIS_URL") or None

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "JWT_SECRET_KEY": TEST_SECRET,
    "PASSWORD_HASH_ROUNDS": 1000,  # the default costs 0.14 s a hash: too slow for a suite
    "RATELIMIT_ENABLED": False,
    # Tests mint tokens expired by a second; the default few seconds of leeway would pass them.
    "JWT_DECODE_LEEWAY": 0,
}


_apps: list[tuple[Flask, bool]] = []


def build_app(**overrides: Any) -> Flask:
    """An app on the test configuration, without tables; disposed after the test."""
    app = create_app({**TEST_CONFIG, **overrides})
    if REDIS_URL:  # the suite's Redis, even for an app given another URL (or a dead one)
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        client.close()
    _apps.append((app, False))
    return app


def make_app(**overrides: Any) -> Flask:
    """An app with a new empty database; both go after the test."""
    app = build_app(**overrides)
    _apps[-1] = (app, True)
    with app.app_context():
        # The tables' own bind only: on PostgreSQL the revocation check declares a bind of
        # its own, which Flask-SQLAlchemy then lists for every app of the process.
        db.drop_all(bind_key=None)  # a server database may hold a failed test's leftovers
        db.create_all(bind_key=None)
    return app


def drain_mail() -> None:
    """Wait until every app of the test has sent (or failed to send) its queued mail."""
    for app, _ in _apps:
        app.extensions["mailer"].drain()


@pytest.fixture(autouse=True)
def _dispose_apps() -> Iterator[None]:
    yield
    drain_mail()
    while _apps:
        app, has_tables = _apps.pop()
        with app.app_context():
            db.session.remove()
            if has_tables:
                db.drop_all(bind_key=None)
            for engine in db.engines.values():  # the app's, and the revocation check's
                engine.dispose()
        if app.extensions["redis"] is not None:
            app.extensions["redis"].close()


@pytest.fixture
def app() -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def user_id(app: Flask) -> int:
    return factories.make_user(app, "alice")


@pytest.fixture
def admin_id(app: Flask) -> int:
    return factories.make_user(app, "root", is_admin=True)


@pytest.fixture
def tokens(client: FlaskClient, user_id: int) -> dict[str, str]:
    return factories.login(client, "alice")


@pytest.fixture
def auth_headers(tokens: dict[str, str]) -> dict[str, str]:
    return factories.bearer(tokens["access_token"])


@pytest.fixture
def admin_headers(client: FlaskClient, admin_id: int) -> dict[str, str]:
    return factories.bearer(factories.login(client, "root")["access_token"])


@pytest.fixture
def store_id(client: FlaskClient, auth_headers: dict[str, str]) -> int:
    response = client.post("/store", json={"name": "Corner shop"}, headers=auth_headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


@pytest.fixture
def item_id(client: FlaskClient, auth_headers: dict[str, str], store_id: int) -> int:
    body = {"name": "Chair", "price": "19.99", "store_id": store_id}
    response = client.post("/item", json=body, headers=auth_headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


@pytest.fixture
def tag_id(client: FlaskClient, auth_headers: dict[str, str], store_id: int) -> int:
    response = client.post(f"/store/{store_id}/tag", json={"name": "wood"}, headers=auth_headers)
    assert response.status_code == 201, response.json
    return response.json["id"]
