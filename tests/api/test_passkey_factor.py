"""Passkeys as a second factor: what a password login, GET /me, support's mfa-reset and
/reauthenticate make of an account with a passkey, and proving it is you again with a
passkey (POST /reauthenticate/passkey). Real signatures (tests/authenticator.py) and real
TOTP codes (pyotp): nothing about verification is mocked."""

import pyotp
import pytest
from flask_jwt_extended import decode_token

from tests.api.test_passkeys import (
    ORIGIN,
    RP_ID,
    add_passkey,
    events,
    passkey_login,
    request_options,
)
from tests.authenticator import UP, Authenticator, b64url
from tests.conftest import make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user, previous_step_code

LOGIN = {"username": "alice", "password": PASSWORD}


def stale(client, tokens) -> dict[str, str]:
    """A valid access token that is not fresh: a refresh's."""
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    return bearer(refreshed.json["access_token"])


def turn_on_totp(client, headers) -> str:
    started = client.post("/me/mfa/totp", headers=headers)
    assert started.status_code == 200, started.json
    secret = started.json["secret"]
    spent = previous_step_code(secret)  # leaves now's code for the test
    confirmed = client.post("/me/mfa/totp/confirm", json={"code": spent}, headers=headers)
    assert confirmed.status_code == 200, confirmed.json
    return secret


def reauth_options(client, headers) -> dict:
    response = client.post("/reauthenticate/passkey/options", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def reauthenticate(client, headers, credential):
    return client.post("/reauthenticate/passkey", json={"credential": credential}, headers=headers)


@pytest.fixture
def app():
    return make_app(PUBLIC_URL=ORIGIN)


@pytest.fixture
def authenticator():
    return Authenticator(ORIGIN, RP_ID)


@pytest.fixture
def registered(client, auth_headers, authenticator) -> dict:
    return add_passkey(client, auth_headers, authenticator)


# Signing in with the password


def test_a_passkey_only_account_is_sent_to_its_passkey_with_no_token(client, registered, caplog):
    caplog.set_level("INFO")

    response = client.post("/login", json=LOGIN)

    body = assert_error(response, 403, "mfa_required")
    assert body["methods"] == ["passkey"]
    assert "POST /login/passkey" in body["message"]
    # Nothing a code could redeem: no mfa_token, and no access or refresh token.
    assert not {"mfa_token", "access_token", "refresh_token"} & set(body)
    assert response.headers.getlist("Set-Cookie") == []
    assert ("mfa_required", "passkey") in [
        (name, record.get("methods", [None])[-1]) for name, record in events(caplog)
    ]


def test_the_passkey_then_signs_in(client, registered, authenticator):
    assert_error(client.post("/login", json=LOGIN), 403, "mfa_required")

    response = passkey_login(client, authenticator)

    assert response.status_code == 200, response.json
    assert client.get("/me", headers=bearer(response.json["access_token"])).status_code == 200


def test_a_wrong_password_of_a_passkey_account_is_still_401(client, registered):
    response = client.post("/login", json={**LOGIN, "password": "not the password"})

    body = assert_error(response, 401, "invalid_credentials")
    assert "methods" not in body


def test_with_totp_and_a_passkey_both_are_offered_and_a_code_works(
    client, auth_headers, registered, authenticator
):
    secret = turn_on_totp(client, auth_headers)

    response = client.post("/login", json=LOGIN)

    body = assert_error(response, 403, "mfa_required")
    assert body["methods"] == ["totp", "recovery_code", "passkey"]
    assert "POST /login/passkey" in body["message"]
    second = client.post(
        "/login/mfa", json={"mfa_token": body["mfa_token"], "code": pyotp.TOTP(secret).now()}
    )
    assert second.status_code == 200, second.json
    assert second.json["access_token"] and second.json["refresh_token"]
    # And the passkey, on its own, as well.
    assert passkey_login(client, authenticator).status_code == 200


def test_totp_alone_offers_no_passkey(client, auth_headers):
    turn_on_totp(client, auth_headers)

    body = assert_error(client.post("/login", json=LOGIN), 403, "mfa_required")

    assert body["methods"] == ["totp", "recovery_code"] and body["mfa_token"]


# GET /me


def test_me_counts_the_passkeys(client, auth_headers):
    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": False, "passkeys": 0}
    first = add_passkey(client, auth_headers, Authenticator(ORIGIN, RP_ID))
    add_passkey(client, auth_headers, Authenticator(ORIGIN, RP_ID))

    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": False, "passkeys": 2}
    removed = client.delete(f"/me/passkeys/{first['id']}", headers=auth_headers)
    assert removed.status_code == 204
    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": False, "passkeys": 1}


def test_me_counts_only_the_callers_passkeys(app, client, auth_headers, registered):
    make_user(app, "bob")
    bob = bearer(login(client, "bob")["access_token"])

    assert client.get("/me", headers=bob).json["mfa"] == {"totp": False, "passkeys": 0}
    assert client.get("/me", headers=auth_headers).json["mfa"]["passkeys"] == 1


# Support's reset


def test_mfa_reset_removes_the_passkeys_too(app, client, auth_headers, authenticator, caplog):
    add_passkey(client, auth_headers, authenticator)
    add_passkey(client, auth_headers, Authenticator(ORIGIN, RP_ID))
    turn_on_totp(client, auth_headers)
    caplog.set_level("INFO")

    result = app.test_cli_runner().invoke(args=["users", "mfa-reset", "alice"])

    assert result.exit_code == 0, result.output
    logged = dict(events(caplog))
    assert logged["passkey_removed"]["count"] == 2
    assert "mfa_reset" in logged
    assert_error(passkey_login(client, authenticator), 401, "unknown_credential")
    again = login(client, "alice")  # the password alone, once more
    me = client.get("/me", headers=bearer(again["access_token"])).json
    assert me["mfa"] == {"totp": False, "passkeys": 0}


# Re-authentication: the password path


def test_reauthenticate_with_the_password_of_a_passkey_only_account(client, tokens, registered):
    response = client.post(
        "/reauthenticate", json={"password": PASSWORD}, headers=stale(client, tokens)
    )

    body = assert_error(response, 403, "mfa_required")
    assert body["methods"] == ["passkey"]
    assert "/reauthenticate/passkey" in body["message"]


def test_reauthenticate_with_totp_and_a_passkey_offers_both(
    client, tokens, auth_headers, registered
):
    secret = turn_on_totp(client, auth_headers)
    headers = stale(client, tokens)

    response = client.post("/reauthenticate", json={"password": PASSWORD}, headers=headers)

    body = assert_error(response, 403, "mfa_required")
    assert body["methods"] == ["totp", "recovery_code", "passkey"]
    assert "/reauthenticate/passkey" in body["message"]
    with_code = {"password": PASSWORD, "code": pyotp.TOTP(secret).now()}
    assert client.post("/reauthenticate", json=with_code, headers=headers).status_code == 200


def test_a_code_cannot_stand_in_for_a_passkey(client, tokens, registered):
    body = {"password": PASSWORD, "code": "123456"}

    response = client.post("/reauthenticate", json=body, headers=stale(client, tokens))

    assert_error(response, 400, "invalid_code")


# Re-authentication with a passkey


def test_the_options_list_the_callers_passkeys(client, auth_headers, registered, authenticator):
    options = reauth_options(client, auth_headers)

    assert options["rpId"] == RP_ID
    assert options["userVerification"] == "required"
    assert [item["id"] for item in options["allowCredentials"]] == [
        b64url(authenticator.credential_id)
    ]


def test_the_options_without_a_passkey_are_409(client, auth_headers):
    response = client.post("/reauthenticate/passkey/options", headers=auth_headers)

    assert_error(response, 409, "no_passkey")


def test_the_options_need_an_access_token(client):
    assert_error(client.post("/reauthenticate/passkey/options"), 401)


def test_a_passkey_gives_a_fresh_token_for_the_same_session(
    app, client, tokens, registered, authenticator, caplog
):
    headers = stale(client, tokens)
    assert_error(client.post("/me/passkeys/options", headers=headers), 401, "fresh_token_required")
    caplog.set_level("INFO")

    response = reauthenticate(client, headers, authenticator.get(reauth_options(client, headers)))

    assert response.status_code == 200, response.json
    assert set(response.json) == {"access_token"}
    fresh = response.json["access_token"]
    with app.app_context():
        claims = decode_token(fresh)
        assert claims["fresh"] is True
        assert claims["sid"] == decode_token(tokens["access_token"])["sid"]
    assert client.post("/me/passkeys/options", headers=bearer(fresh)).status_code == 200
    logged = dict(events(caplog))
    assert logged["reauthenticated"]["method"] == "passkey"
    assert logged["passkey_used"]["passkey_id"] == registered["id"]


def test_a_passkey_reauthenticates_an_account_with_totp_without_a_code(
    client, tokens, auth_headers, registered, authenticator
):
    turn_on_totp(client, auth_headers)
    headers = stale(client, tokens)

    response = reauthenticate(client, headers, authenticator.get(reauth_options(client, headers)))

    assert response.status_code == 200, response.json


def test_the_cookie_session_gets_its_fresh_token_as_a_cookie(client, user_id, authenticator):
    signed_in = client.post("/login", json={**LOGIN, "transport": "cookie"})
    assert signed_in.status_code == 200
    csrf = {"X-CSRF-TOKEN": client.get_cookie("csrf_access_token").value}
    added = add_passkey(client, csrf, authenticator)
    assert added["id"]
    options = reauth_options(client, csrf)

    response = reauthenticate(client, csrf, authenticator.get(options))

    assert response.status_code == 200, response.json
    assert any("access_token_cookie=" in value for value in response.headers.getlist("Set-Cookie"))


def test_another_accounts_passkey_is_refused(app, client, auth_headers, registered, caplog):
    make_user(app, "bob")
    bob = bearer(login(client, "bob")["access_token"])
    bobs_key = Authenticator(ORIGIN, RP_ID)
    add_passkey(client, bob, bobs_key)
    caplog.set_level("INFO")

    # Bob's passkey signs Alice's challenge, sent with Alice's token.
    response = reauthenticate(
        client, auth_headers, bobs_key.get(reauth_options(client, auth_headers))
    )

    assert_error(response, 401, "unknown_credential")
    logged = dict(events(caplog))
    assert logged["reauthentication_failed"]["reason"] == "unknown_credential"
    assert "reauthenticated" not in logged


def test_another_accounts_challenge_is_refused(
    app, client, auth_headers, registered, authenticator
):
    make_user(app, "bob")
    bob = bearer(login(client, "bob")["access_token"])
    add_passkey(client, bob, Authenticator(ORIGIN, RP_ID))
    bobs_options = reauth_options(client, bob)

    response = reauthenticate(client, auth_headers, authenticator.get(bobs_options))

    assert_error(response, 401, "invalid_challenge")


def test_a_sign_in_challenge_does_not_reauthenticate(
    client, auth_headers, registered, authenticator
):
    response = reauthenticate(client, auth_headers, authenticator.get(request_options(client)))

    assert_error(response, 401, "invalid_challenge")


def test_a_reauthentication_challenge_does_not_sign_in(
    client, auth_headers, registered, authenticator
):
    credential = authenticator.get(reauth_options(client, auth_headers))

    response = client.post("/login/passkey", json={"credential": credential})

    assert_error(response, 401, "invalid_challenge")


def test_the_challenge_works_once(client, auth_headers, registered, authenticator):
    credential = authenticator.get(reauth_options(client, auth_headers))
    assert reauthenticate(client, auth_headers, credential).status_code == 200

    assert_error(reauthenticate(client, auth_headers, credential), 401, "invalid_challenge")


def test_another_origin_is_refused(client, auth_headers, registered, authenticator):
    options = reauth_options(client, auth_headers)

    credential = authenticator.get(options, origin="https://evil.example.test")

    assert_error(reauthenticate(client, auth_headers, credential), 401, "passkey_invalid")


def test_no_user_verification_is_refused(client, auth_headers, registered, authenticator):
    credential = authenticator.get(reauth_options(client, auth_headers), flags=UP)

    assert_error(reauthenticate(client, auth_headers, credential), 401, "passkey_invalid")


@pytest.mark.parametrize(
    "credential",
    [{}, {"response": {}}, {"response": {"clientDataJSON": "!!"}}],
)
def test_a_malformed_credential_is_400(client, auth_headers, registered, credential):
    assert_error(reauthenticate(client, auth_headers, credential), 400, "invalid_credential")


def test_the_passkey_path_needs_an_access_token(client, registered, authenticator):
    response = client.post("/reauthenticate/passkey", json={"credential": {}})

    assert_error(response, 401)
