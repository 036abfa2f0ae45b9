"""Every check of a password or a secret is throttled per account and per address, and
the per-account budget is one, whichever endpoint spends it."""

import base64

import pytest

from tests.conftest import make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user

CLIENT = ("resource-server", "a-client-secret-of-some-length")


@pytest.fixture
def throttled():
    app = make_app(
        RATELIMIT_ENABLED=True,
        INTROSPECTION_CLIENT_ID=CLIENT[0],
        INTROSPECTION_CLIENT_SECRET=CLIENT[1],
        # Enough for each test's own requests: these tests are about the account budget.
        RATELIMIT_LOGIN_PER_ADDRESS="100 per minute",
    )
    make_user(app, "alice")
    return app


def _fail_logins(client, times: int) -> list[int]:
    body = {"username": "alice", "password": "not the password"}
    return [client.post("/login", json=body).status_code for _ in range(times)]


def _change_password(client, token: str, current: str):
    body = {"current_password": current, "new_password": "a brand new passphrase"}
    return client.post("/me/password", json=body, headers=bearer(token))


def test_password_changes_cannot_guess_past_the_login_throttle(throttled):
    client = throttled.test_client()
    token = login(client, "alice")["access_token"]

    statuses = [_change_password(client, token, f"guess {n}").status_code for n in range(12)]

    assert statuses == [401] * 10 + [429] * 2
    assert_error(client.post("/login", json={"username": "alice", "password": PASSWORD}), 429)


def test_a_throttled_login_throttles_password_changes_and_reauthentication(throttled):
    client = throttled.test_client()
    token = login(client, "alice")["access_token"]

    assert _fail_logins(client, 10) == [401] * 10
    change = _change_password(client, token, PASSWORD)
    reauthentication = client.post(
        "/reauthenticate", json={"password": PASSWORD}, headers=bearer(token)
    )

    assert_error(change, 429)
    assert_error(reauthentication, 429)
    assert int(reauthentication.headers["Retry-After"]) > 0


def test_reauthentication_guesses_spend_the_login_budget(throttled):
    client = throttled.test_client()
    token = login(client, "alice")["access_token"]

    statuses = [
        client.post("/reauthenticate", json={"password": f"guess {n}"}, headers=bearer(token))
        for n in range(10)
    ]

    assert [response.status_code for response in statuses] == [401] * 10
    assert _fail_logins(client, 1) == [429]


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_introspection_secrets_cannot_be_guessed_unthrottled(throttled):
    client = throttled.test_client()
    token = login(client, "alice")["access_token"]

    statuses = [
        client.post(
            "/introspect", data={"token": token}, headers=_basic(CLIENT[0], f"guess {n}")
        ).status_code
        for n in range(60)
    ]
    right = client.post("/introspect", data={"token": token}, headers=_basic(*CLIENT))

    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}
    assert_error(right, 429)


def test_introspection_by_the_right_client_is_not_throttled(throttled):
    client = throttled.test_client()
    token = login(client, "alice")["access_token"]

    statuses = {
        client.post("/introspect", data={"token": token}, headers=_basic(*CLIENT)).status_code
        for _ in range(120)
    }

    assert statuses == {200}


def test_every_credential_endpoint_shares_the_address_budget():
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ADDRESS="3 per minute")
    make_user(app, "alice")
    client = app.test_client()
    token = login(client, "alice")["access_token"]

    change = _change_password(client, token, "wrong")
    reauthentication = client.post("/reauthenticate", json={"password": "x"}, headers=bearer(token))
    last = client.post("/login", json={"username": "alice", "password": PASSWORD})

    assert (change.status_code, reauthentication.status_code) == (401, 401)
    assert_error(last, 429)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "\ud800", "password": "x"},
        {"username": "alice", "password": "\ud800"},
        {"username": "al\udfffice", "password": PASSWORD},
    ],
)
def test_a_lone_surrogate_is_refused_never_a_500(throttled, body):
    client = throttled.test_client()

    response = client.post("/login", json=body)

    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "credential", ["r\u00e9sum\u00e9:secret".encode(), b"\xff\xfe:\xed\xa0\x80", b"client:\xc3"]
)
def test_a_client_credential_of_any_bytes_is_401_never_a_500(throttled, credential):
    client = throttled.test_client()
    raw = base64.b64encode(credential).decode()

    response = client.post(
        "/introspect", data={"token": "x"}, headers={"Authorization": f"Basic {raw}"}
    )

    assert_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
