"""POST /register, /login, /refresh, /logout and GET /me, through HTTP."""

import pytest

from tests.conftest import build_app
from tests.factories import PASSWORD, assert_error, bearer, login


def register(client, username="alice", password=PASSWORD, **extra):
    return client.post("/register", json={"username": username, "password": password, **extra})


def test_register_answers_201_with_the_new_id(client):
    response = register(client, email="alice@example.com")

    assert response.status_code == 201
    assert response.json == {"message": "User created.", "id": 1}


def test_username_is_trimmed_and_case_insensitive(client):
    register(client, username="  Alice ")

    assert_error(register(client, username="alice"), 409)
    assert_error(register(client, username="ALICE"), 409)
    tokens = login(client, "ALICE")
    me = client.get("/me", headers=bearer(tokens["access_token"])).json
    assert me["username"] == "Alice"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "", "password": PASSWORD},
        {"username": "   ", "password": PASSWORD},
        {"username": "x" * 81, "password": PASSWORD},
        {"username": "bob\x00", "password": PASSWORD},
        {"username": "bob", "password": "short"},
        {"username": "bob", "password": "p" * 1025},
        {"username": "bob"},
        {"password": PASSWORD},
        {"username": 5, "password": PASSWORD},
        {"username": "bob", "password": ["a list"]},
        {"username": "bob", "password": PASSWORD, "email": "not an email"},
        {"username": "bob", "password": PASSWORD, "is_admin": True},
    ],
)
def test_invalid_registration_is_422_and_creates_nothing(client, body):
    assert_error(client.post("/register", json=body), 422)

    assert register(client, username="bob").status_code == 201


def test_login_answers_a_fresh_access_token_and_a_refresh_token(client, user_id):
    response = client.post("/login", json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    assert {"access_token", "refresh_token", "token_type", "expires_in"} <= set(response.json)
    assert response.headers["Cache-Control"] == "no-store"
    me = client.get("/me", headers=bearer(response.json["access_token"]))
    assert me.status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(client, user_id):
    wrong = client.post("/login", json={"username": "alice", "password": "wrong password!"})
    unknown = client.post("/login", json={"username": "nobody", "password": PASSWORD})

    body = assert_error(wrong, 401, "invalid_credentials")
    assert body["message"] == "Invalid credentials."
    assert unknown.json == wrong.json


def test_passwords_are_compared_exactly(client, user_id):
    for near_miss in (PASSWORD + " ", " " + PASSWORD, PASSWORD.upper(), PASSWORD[:-1]):
        response = client.post("/login", json={"username": "alice", "password": near_miss})
        assert_error(response, 401, "invalid_credentials")


def test_me_shows_the_account_and_never_the_hash(client, user_id, auth_headers):
    response = client.get("/me", headers=auth_headers)

    assert response.status_code == 200
    assert set(response.json) == {
        "id",
        "username",
        "is_admin",
        "created_at",
        "email",
        "email_verified",
        "mfa",
    }
    assert response.json["mfa"] == {"totp": False, "passkeys": 0}
    assert response.json["id"] == user_id
    assert response.json["is_admin"] is False
    assert response.json["created_at"].endswith("+00:00")
    assert "pbkdf2" not in response.get_data(as_text=True)


def test_me_without_a_token_is_401_authorization_required(client):
    response = client.get("/me")

    assert_error(response, 401, "authorization_required")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_refresh_gives_a_non_fresh_access_token_and_spends_the_old_refresh_token(client, tokens):
    response = client.post("/refresh", headers=bearer(tokens["refresh_token"]))

    assert response.status_code == 200
    assert {"access_token", "refresh_token", "token_type", "expires_in"} <= set(response.json)
    assert response.headers["Cache-Control"] == "no-store"
    new = response.json
    assert client.get("/me", headers=bearer(new["access_token"])).status_code == 200
    password_change = client.post(
        "/me/password",
        headers=bearer(new["access_token"]),
        json={"current_password": PASSWORD, "new_password": "another long passphrase"},
    )
    assert_error(password_change, 401, "fresh_token_required")
    replay = client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    assert_error(replay, 401, "token_revoked")


def test_refresh_needs_a_refresh_token(client, tokens):
    assert_error(client.post("/refresh"), 401, "authorization_required")
    response = client.post("/refresh", headers=bearer(tokens["access_token"]))
    assert_error(response, 401, "invalid_token")


def test_logout_revokes_the_access_and_the_refresh_token_of_the_login(client, tokens):
    response = client.post("/logout", headers=bearer(tokens["access_token"]))

    assert response.status_code == 200
    assert response.json == {"message": "Logged out."}
    assert_error(client.get("/me", headers=bearer(tokens["access_token"])), 401, "token_revoked")
    refresh = client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    assert_error(refresh, 401, "token_revoked")


def test_logout_leaves_other_logins_alone(client, tokens):
    other = login(client, "alice")

    client.post("/logout", headers=bearer(tokens["access_token"]))

    assert client.get("/me", headers=bearer(other["access_token"])).status_code == 200


def test_logout_needs_an_access_token(client, tokens):
    assert_error(client.post("/logout"), 401, "authorization_required")
    response = client.post("/logout", headers=bearer(tokens["refresh_token"]))
    assert_error(response, 401, "invalid_token")


def test_a_second_logout_with_the_same_token_is_401(client, auth_headers):
    client.post("/logout", headers=auth_headers)

    assert_error(client.post("/logout", headers=auth_headers), 401, "token_revoked")


def test_health_makes_a_database_round_trip(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    unreachable = f"sqlite:///{tmp_path}/no-such-folder/app.db"
    app = build_app(SQLALCHEMY_DATABASE_URI=unreachable)

    response = app.test_client().get("/health")

    body = assert_error(response, 503)
    assert body["errors"]["database"] == "down"
