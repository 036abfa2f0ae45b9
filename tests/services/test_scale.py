"""Several instances on one PostgreSQL and one Redis, and faults: revocations never wait
for Redis, and what cannot be decided fails closed.

Run by `make test-services` (TEST_DATABASE_URL and TEST_REDIS_URL set); the SQLite run
deselects them, since they are about those services."""

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from sqlalchemy import func, select

from extensions import db
from models import User
from tests.conftest import build_app, make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user
from tests.proxy import Proxy
from tests.servers import ROOT, Server, services_env, signup_and_login

pytestmark = pytest.mark.services

DATABASE_URL = os.getenv("TEST_DATABASE_URL", "")
REDIS_URL = os.getenv("TEST_REDIS_URL", "")


@pytest.fixture(autouse=True)
def _needs_services():
    # Fail, never skip: this run promised PostgreSQL and Redis.
    assert DATABASE_URL.startswith("postgresql"), "TEST_DATABASE_URL must name PostgreSQL"
    assert REDIS_URL.startswith("redis"), "TEST_REDIS_URL must name Redis"


def through(url: str, proxy: Proxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


@pytest.fixture
def two_instances(tmp_path):
    env = services_env(tmp_path, JWT_SECRET_KEY="scale-test-secret-long-enough-for-hs256-ok")
    first, second = Server(env), Server(env)
    with first, second:
        yield first, second


def test_a_logout_through_one_instance_is_refused_by_the_other(two_instances):
    first, second = two_instances
    tokens = signup_and_login(first)
    assert second.request("GET", "/me", tokens["access_token"])[0] == 200

    assert first.request("POST", "/logout", tokens["access_token"])[0] == 200

    status, body = second.request("GET", "/me", tokens["access_token"])
    assert (status, body["error"]) == (401, "token_revoked")
    assert second.request("POST", "/refresh", tokens["refresh_token"])[0] == 401


def test_a_session_revoked_through_one_instance_is_refused_by_the_other(two_instances):
    first, second = two_instances
    laptop, phone = signup_and_login(first), signup_and_login(first)
    sessions = first.request("GET", "/sessions", phone["access_token"])[1]
    laptop_sid = next(s["id"] for s in sessions if not s["current"])

    assert first.request("DELETE", f"/sessions/{laptop_sid}", phone["access_token"])[0] == 204

    assert second.request("GET", "/me", laptop["access_token"])[0] == 401
    assert second.request("GET", "/me", phone["access_token"])[0] == 200


def test_reuse_detected_through_one_instance_is_refused_by_the_other(two_instances):
    first, second = two_instances
    stolen = signup_and_login(first)
    victim = first.request("POST", "/refresh", stolen["refresh_token"])[1]

    assert first.request("POST", "/refresh", stolen["refresh_token"])[0] == 401  # the replay

    status, body = second.request("GET", "/me", victim["access_token"])
    assert (status, body["error"]) == (401, "token_revoked")


def test_the_login_throttle_is_shared_by_the_instances(tmp_path):
    env = services_env(tmp_path, FLASK_RATELIMIT_ENABLED="true")
    with Server(env) as first, Server(env) as second:
        signup_and_login(first)
        statuses = [
            server.request("POST", "/login", body={"username": "alice", "password": f"guess{n}"})[0]
            for n in range(5)
            for server in (first, second)
        ]
        final = second.request("POST", "/login", body={"username": "alice", "password": "x1"})

    assert statuses == [401] * 10
    assert final[0] == 429


@pytest.fixture
def redis_proxy():
    proxy = Proxy(urlsplit(REDIS_URL).port or 6379)
    yield proxy
    proxy.close()


@pytest.fixture
def database_proxy():
    proxy = Proxy(urlsplit(DATABASE_URL).port or 5432)
    yield proxy
    proxy.close()


def test_with_redis_unreachable_revocations_go_on_and_throttled_endpoints_fail_closed(
    redis_proxy,
):
    app = make_app(REDIS_URL=through(REDIS_URL, redis_proxy), RATELIMIT_ENABLED=True)
    make_user(app, "alice")
    client = app.test_client()
    laptop, phone = login(client, "alice"), login(client, "alice")

    redis_proxy.cut()

    # Redis holds only the throttling counters (README, Running at scale): the database
    # answers every check and takes every revocation.
    assert client.get("/me", headers=bearer(laptop["access_token"])).status_code == 200
    assert client.post("/logout", headers=bearer(laptop["access_token"])).status_code == 200
    assert_error(client.get("/me", headers=bearer(laptop["access_token"])), 401, "token_revoked")
    assert client.post("/logout/all", headers=bearer(phone["access_token"])).status_code == 200
    assert_error(client.get("/me", headers=bearer(phone["access_token"])), 401, "token_revoked")
    # A password check cannot be counted: refused, rather than let guesses through unthrottled.
    refused = client.post("/login", json={"username": "alice", "password": PASSWORD})
    assert assert_error(refused, 503)["message"].startswith("The throttling store is unavailable")
    health = assert_error(client.get("/health"), 503)
    assert health["errors"] == {"database": "ok", "redis": "down"}

    redis_proxy.restore()

    assert client.get("/health").status_code == 200
    assert login(client, "alice")
    assert_error(client.get("/me", headers=bearer(laptop["access_token"])), 401, "token_revoked")


# README, Running at scale: the endpoints that answer 503 while Redis is down.
THROTTLED = [
    "/register", "/login", "/login/mfa", "/login/passkey/options", "/login/passkey",
    "/reauthenticate", "/reauthenticate/passkey/options", "/reauthenticate/passkey",
    "/refresh", "/me/password", "/me/mfa/totp", "/me/mfa/totp/confirm",
    "/me/mfa/recovery-codes", "/password/forgot", "/password/reset", "/email/verify",
    "/email/verify/resend", "/introspect",
]  # fmt: skip


def test_with_redis_unreachable_the_throttled_endpoints_answer_503_and_others_go_on(
    redis_proxy,
):
    app = make_app(REDIS_URL=through(REDIS_URL, redis_proxy), RATELIMIT_ENABLED=True)
    make_user(app, "alice")
    client = app.test_client()
    tokens = login(client, "alice")
    headers = bearer(tokens["access_token"])

    redis_proxy.cut()

    for path in THROTTLED:
        token = tokens["refresh_token"] if path == "/refresh" else tokens["access_token"]
        response = client.post(path, json={}, headers=bearer(token))
        assert_error(response, 503)
    assert client.get("/me", headers=headers).status_code == 200
    assert client.get("/sessions", headers=headers).status_code == 200
    assert client.post("/store", json={"name": "Shop"}, headers=headers).status_code == 201
    assert client.post("/logout", headers=headers).status_code == 200


def test_redis_holds_only_throttling_counters():
    app = make_app(RATELIMIT_ENABLED=True)
    make_user(app, "alice")
    client = app.test_client()
    tokens = login(client, "alice")
    client.post("/login", json={"username": "alice", "password": "a wrong guess"})
    client.post("/logout", headers=bearer(tokens["access_token"]))

    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).keys("*")]

    # Flask-Limiter's counters (per address, and per account: "/account/"), nothing else.
    assert any("/account/" in key for key in keys), keys
    assert all(key.startswith("LIMITS:LIMITER/jwt-api/") for key in keys), keys


@pytest.fixture
def two_instances_on_a_redis_to_cut(tmp_path, redis_proxy):
    env = services_env(
        tmp_path,
        JWT_SECRET_KEY="scale-test-secret-long-enough-for-hs256-ok",
        REDIS_URL=through(REDIS_URL, redis_proxy),
        FLASK_RATELIMIT_ENABLED="true",
    )
    first, second = Server(env), Server(env)
    with first, second:
        yield first, second


def test_with_redis_unreachable_a_logout_through_one_instance_is_refused_by_the_other(
    two_instances_on_a_redis_to_cut, redis_proxy
):
    first, second = two_instances_on_a_redis_to_cut
    tokens = signup_and_login(first)

    redis_proxy.cut()

    assert first.request("POST", "/logout", tokens["access_token"])[0] == 200
    status, body = second.request("GET", "/me", tokens["access_token"])
    assert (status, body["error"]) == (401, "token_revoked")
    assert first.request("GET", "/health")[1]["errors"]["redis"] == "down"
    body = {"username": "alice", "password": PASSWORD}
    assert second.request("POST", "/login", body=body)[0] == 503


def test_with_the_database_unreachable_every_endpoint_answers_503_json(database_proxy):
    make_app()  # the tables, made and dropped over a direct connection
    app = build_app(SQLALCHEMY_DATABASE_URI=through(DATABASE_URL, database_proxy))
    make_user(app, "alice")
    client = app.test_client()
    tokens = login(client, "alice")

    database_proxy.cut()

    assert_error(client.get("/me", headers=bearer(tokens["access_token"])), 503)
    assert_error(client.post("/login", json={"username": "alice", "password": PASSWORD}), 503)
    assert_error(client.post("/register", json={"username": "bob", "password": PASSWORD}), 503)
    health = assert_error(client.get("/health"), 503)
    assert health["errors"]["database"] == "down"

    database_proxy.restore()

    assert client.get("/me", headers=bearer(tokens["access_token"])).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(User.username == "bob")) == 0
    registered = client.post("/register", json={"username": "bob", "password": PASSWORD})
    assert registered.status_code == 201  # not 409: the failed attempt left nothing behind


def test_a_registration_while_redis_is_down_leaves_no_row(redis_proxy):
    app = make_app(REDIS_URL=through(REDIS_URL, redis_proxy), RATELIMIT_ENABLED=True)
    client = app.test_client()
    redis_proxy.cut()

    response = client.post("/register", json={"username": "carol", "password": PASSWORD})

    assert_error(response, 503)
    redis_proxy.restore()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    retry = client.post("/register", json={"username": "carol", "password": PASSWORD})
    assert retry.status_code == 201


def test_a_lock_through_one_instance_is_refused_by_the_other(two_instances):
    first, second = two_instances
    admin_env = {**first.env}
    admin_env.pop("PORT")
    created = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "users", "create", "root", "--admin"],
        cwd=ROOT, env=admin_env, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    alice = signup_and_login(second)
    user_id = second.request("GET", "/me", alice["access_token"])[1]["id"]
    root = first.request("POST", "/login", body={"username": "root", "password": PASSWORD})[1]

    locked = first.request("POST", f"/admin/users/{user_id}/lock", root["access_token"], {})

    assert locked[0] == 200
    status, body = second.request("GET", "/me", alice["access_token"])
    assert (status, body["error"]) == (401, "token_revoked")
    assert second.request("POST", "/refresh", alice["refresh_token"])[0] == 401
    body = {"username": "alice", "password": PASSWORD}
    assert second.request("POST", "/login", body=body)[1]["error"] == "account_locked"
