"""The Authorization header's scheme, the challenge of every 401, and stepping up."""

import base64
from datetime import timedelta

import jwt
import pytest

from tests.conftest import TEST_SECRET, make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(client, tokens, scheme):
    headers = {"Authorization": f"{scheme} {tokens['access_token']}"}

    assert client.get("/me", headers=headers).status_code == 200
    assert (
        client.post(
            "/refresh", headers={"Authorization": f"{scheme} {tokens['refresh_token']}"}
        ).status_code
        == 200
    )


def _challenge(response) -> str:
    assert response.status_code == 401
    return response.headers["WWW-Authenticate"]


def test_a_bad_expired_or_revoked_token_is_challenged_with_invalid_token(app, client, tokens):
    expired = app.test_client()
    with app.app_context():
        from flask_jwt_extended import create_access_token

        old = create_access_token("1", expires_delta=timedelta(seconds=-1))
    client.post("/logout", headers=bearer(tokens["access_token"]))

    for token in (tokens["access_token"], old, "not.a.token", tokens["access_token"][:-2]):
        challenge = _challenge(expired.get("/me", headers=bearer(token)))
        assert challenge.startswith("Bearer ")
        assert 'error="invalid_token"' in challenge


def test_no_token_gets_the_bare_bearer_challenge(client):
    for path in ("/me", "/sessions", "/store"):
        assert _challenge(client.get(path)) == 'Bearer realm="api"'


def test_a_stale_token_gets_the_step_up_challenge(client, tokens, item_id):
    stale = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json["access_token"]
    body = {"current_password": PASSWORD, "new_password": "another fine passphrase"}

    responses = [
        client.post("/me/password", json=body, headers=bearer(stale)),
        client.post(
            "/item", json={"name": "x", "price": "1", "store_id": 1}, headers=bearer(stale)
        ),
    ]

    for response in responses:
        assert_error(response, 401, "fresh_token_required")
        assert 'error="insufficient_user_authentication"' in _challenge(response)


def test_every_401_carries_a_challenge_of_the_endpoints_scheme(client, tokens):
    login_failed = client.post("/login", json={"username": "alice", "password": "wrong one"})
    basic = base64.b64encode(b"someone:something").decode()
    introspection = client.post(
        "/introspect", data={"token": "x"}, headers={"Authorization": f"Basic {basic}"}
    )
    reauthentication = client.post(
        "/reauthenticate", json={"password": "wrong one"}, headers=bearer(tokens["access_token"])
    )

    assert _challenge(login_failed).startswith("Bearer")
    assert _challenge(introspection).startswith("Basic ")
    assert _challenge(client.post("/introspect", data={"token": "x"})).startswith("Basic ")
    assert_error(reauthentication, 401, "invalid_credentials")
    assert _challenge(reauthentication).startswith("Bearer")


def test_reauthentication_makes_the_same_session_fresh_again(client, tokens):
    stale = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json

    response = client.post(
        "/reauthenticate", json={"password": PASSWORD}, headers=bearer(stale["access_token"])
    )

    assert response.status_code == 200, response.json
    fresh = response.json["access_token"]
    assert set(response.json) == {"access_token"}
    claims = jwt.decode(fresh, TEST_SECRET, algorithms=["HS256"])
    old = jwt.decode(stale["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["fresh"] is True and claims["sid"] == old["sid"]
    assert len(client.get("/sessions", headers=bearer(fresh)).json) == 1
    body = {"current_password": PASSWORD, "new_password": "another fine passphrase"}
    assert client.post("/me/password", json=body, headers=bearer(fresh)).status_code == 200
    # The session's refresh token is still the one to spend.
    assert client.post("/refresh", headers=bearer(stale["refresh_token"])).status_code == 200


def test_reauthentication_needs_an_access_token_of_a_live_session(client, tokens):
    refresh = client.post(
        "/reauthenticate", json={"password": PASSWORD}, headers=bearer(tokens["refresh_token"])
    )
    client.post("/logout", headers=bearer(tokens["access_token"]))
    revoked = client.post(
        "/reauthenticate", json={"password": PASSWORD}, headers=bearer(tokens["access_token"])
    )

    assert_error(refresh, 401)
    assert_error(revoked, 401, "token_revoked")


def test_reauthentication_is_throttled_per_address_like_a_login():
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ADDRESS="2 per minute")
    make_user(app, "alice")
    client = app.test_client()
    token = login(client, "alice")["access_token"]

    responses = [
        client.post("/reauthenticate", json={"password": PASSWORD}, headers=bearer(token))
        for _ in range(2)
    ]

    assert responses[0].status_code == 200  # the login spent the first of two
    assert_error(responses[1], 429)
