"""The cookie transport, CSRF double submit, CORS and the refresh reuse interval."""

from datetime import timedelta

import jwt as pyjwt
import pytest
from sqlalchemy import update

from config import ConfigError
from extensions import db
from models import LoginSession, Store
from models.types import utcnow
from tests.conftest import make_app
from tests.factories import PASSWORD, assert_error, bearer, login

ALL_COOKIES = {
    "access_token_cookie",
    "refresh_token_cookie",
    "csrf_access_token",
    "csrf_refresh_token",
}


def cookie_login(client, username="alice"):
    body = {"username": username, "password": PASSWORD, "transport": "cookie"}
    response = client.post("/login", json=body)
    assert response.status_code == 200, response.json
    return response


def set_cookies(response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def csrf(client, name="csrf_access_token") -> dict[str, str]:
    return {"X-CSRF-TOKEN": client.get_cookie(name).value}


def jti_of(token: str) -> str:
    return pyjwt.decode(token, options={"verify_signature": False})["jti"]


def test_a_cookie_login_sets_the_cookies_and_no_token_in_the_body(client, user_id):
    response = cookie_login(client)

    assert response.json == {
        "token_type": "cookie",
        "expires_in": 900,
        "refresh_expires_in": 30 * 24 * 3600,
    }
    cookies = set_cookies(response)
    assert set(cookies) == ALL_COOKIES
    for name in ("access_token_cookie", "refresh_token_cookie"):
        assert "HttpOnly" in cookies[name]
    for name in ("csrf_access_token", "csrf_refresh_token"):
        assert "HttpOnly" not in cookies[name]  # the page's script reads it for the header
    for header in cookies.values():
        assert "Secure" in header and "SameSite=Lax" in header
    assert "Path=/refresh" in cookies["refresh_token_cookie"]
    assert "Path=/;" in cookies["access_token_cookie"] + ";"


def test_plain_http_development_can_drop_secure(user_id):
    app = make_app(JWT_COOKIE_SECURE=False)
    from tests.factories import make_user

    make_user(app, "bob")
    response = cookie_login(app.test_client(), "bob")

    assert all("Secure" not in header for header in set_cookies(response).values())


def test_a_get_with_the_cookie_needs_no_csrf_header(client, user_id):
    cookie_login(client)

    assert client.get("/me").json["username"] == "alice"


@pytest.mark.parametrize("header", [None, "wrong", ""])
def test_a_state_change_without_the_right_csrf_header_is_refused_and_changes_nothing(
    client, user_id, header
):
    cookie_login(client)
    headers = {} if header is None else {"X-CSRF-TOKEN": header}

    created = client.post("/store", json={"name": "Forged"}, headers=headers)
    logged_out = client.post("/logout/all", headers=headers)

    assert_error(created, 401, "csrf_failed")
    assert_error(logged_out, 401, "csrf_failed")
    with client.application.app_context():
        assert db.session.query(Store).count() == 0
    assert client.get("/me").status_code == 200


def test_a_state_change_with_the_csrf_header_goes_through(client, user_id):
    cookie_login(client)

    response = client.post("/store", json={"name": "Corner shop"}, headers=csrf(client))

    assert response.status_code == 201


def test_refresh_works_from_the_refresh_cookie_and_answers_with_cookies(client, user_id):
    cookie_login(client)
    old_refresh = client.get_cookie("refresh_token_cookie", path="/refresh").value

    refused = client.post("/refresh")
    response = client.post("/refresh", headers=csrf(client, "csrf_refresh_token"))

    assert_error(refused, 401, "csrf_failed")
    assert response.status_code == 200 and "access_token" not in response.json
    assert set(set_cookies(response)) == ALL_COOKIES
    new_refresh = client.get_cookie("refresh_token_cookie", path="/refresh").value
    assert new_refresh != old_refresh
    assert_error(client.post("/refresh", headers=bearer(old_refresh)), 401, "token_revoked")


@pytest.mark.parametrize("path", ["/logout", "/logout/all"])
def test_logout_clears_the_cookies_and_revokes(client, user_id, path):
    cookie_login(client)
    access = client.get_cookie("access_token_cookie").value

    response = client.post(path, headers=csrf(client))

    assert response.status_code == 200
    cleared = set_cookies(response)
    assert set(cleared) == ALL_COOKIES
    assert all("Expires=Thu, 01 Jan 1970" in header for header in cleared.values())
    assert_error(client.get("/me", headers=bearer(access)), 401, "token_revoked")


def test_the_header_still_works_alone(client, tokens):
    assert client.get("/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert client.post("/logout", headers=bearer(tokens["access_token"])).status_code == 200


ORIGIN = "https://app.example.test"


def preflight(client, origin: str):
    return client.options(
        "/logout",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-csrf-token",
        },
    )


def test_an_allowed_origin_gets_its_preflight_answered_with_credentials():
    app = make_app(CORS_ORIGINS=f"{ORIGIN}, https://admin.example.test")
    response = preflight(app.test_client(), ORIGIN)

    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "x-csrf-token" in allowed and "content-type" in allowed


@pytest.mark.parametrize("origin", ["https://evil.example.test", "null", ORIGIN + ":8443"])
def test_another_origin_gets_no_cors_headers(origin):
    app = make_app(CORS_ORIGINS=ORIGIN)
    client = app.test_client()

    assert "Access-Control-Allow-Origin" not in preflight(client, origin).headers
    got = client.get("/health", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in got.headers


def test_without_cors_origins_no_origin_is_allowed(client):
    assert "Access-Control-Allow-Origin" not in preflight(client, ORIGIN).headers


@pytest.mark.parametrize(
    "config",
    [
        {"CORS_ORIGINS": "*"},
        {"CORS_ORIGINS": "https://a.example, *"},
        {"CORS_ORIGINS": "app.example.test"},
        {"JWT_REFRESH_REUSE_INTERVAL": 61},
        {"JWT_REFRESH_REUSE_INTERVAL": -1},
        {"JWT_COOKIE_SAMESITE": "Sometimes"},
    ],
)
def test_unsafe_browser_settings_refuse_to_start(config):
    with pytest.raises(ConfigError):
        make_app(**config)


@pytest.fixture
def graceful(user_id):
    app = make_app(JWT_REFRESH_REUSE_INTERVAL=10)
    from tests.factories import make_user

    make_user(app, "alice")
    return app.test_client()


def refresh(client, token: str):
    return client.post("/refresh", headers=bearer(token))


def test_the_previous_refresh_token_works_again_within_the_interval(graceful):
    first = login(graceful, "alice")
    second = refresh(graceful, first["refresh_token"]).json

    again = refresh(graceful, first["refresh_token"])

    assert again.status_code == 200
    # No second rotation: the answer carries the session's current refresh id.
    assert jti_of(again.json["refresh_token"]) == jti_of(second["refresh_token"])
    assert graceful.get("/me", headers=bearer(again.json["access_token"])).status_code == 200
    assert refresh(graceful, second["refresh_token"]).status_code == 200


def test_an_older_refresh_token_ends_the_session_even_within_the_interval(graceful):
    first = login(graceful, "alice")
    second = refresh(graceful, first["refresh_token"]).json
    third = refresh(graceful, second["refresh_token"]).json

    assert_error(refresh(graceful, first["refresh_token"]), 401, "token_revoked")
    assert_error(graceful.get("/me", headers=bearer(third["access_token"])), 401, "token_revoked")


def test_the_previous_refresh_token_after_the_interval_ends_the_session(graceful):
    first = login(graceful, "alice")
    second = refresh(graceful, first["refresh_token"]).json
    with graceful.application.app_context():
        db.session.execute(update(LoginSession).values(rotated_at=utcnow() - timedelta(seconds=11)))
        db.session.commit()

    assert_error(refresh(graceful, first["refresh_token"]), 401, "token_revoked")
    assert_error(graceful.get("/me", headers=bearer(second["access_token"])), 401, "token_revoked")


def test_without_an_interval_the_previous_token_ends_the_session(client, user_id):
    first = login(client, "alice")
    second = refresh(client, first["refresh_token"]).json

    assert_error(refresh(client, first["refresh_token"]), 401, "token_revoked")
    assert_error(client.get("/me", headers=bearer(second["access_token"])), 401, "token_revoked")
