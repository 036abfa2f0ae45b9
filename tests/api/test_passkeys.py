"""Passkeys over HTTP, with a software authenticator that really signs (tests/authenticator.py):
adding, listing, signing in with a passkey alone, removing; and every way a ceremony must
fail (another origin, another RP ID, a spent or expired challenge, a counter that goes
backwards, a forged signature, no user verification, a token that is not fresh)."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from auth import passkeys
from extensions import db
from models import PasskeyChallenge
from models.types import utcnow
from tests.authenticator import UP, Authenticator
from tests.conftest import make_app
from tests.factories import assert_error, bearer, login, make_user

ORIGIN = "https://auth.example.test"
RP_ID = "auth.example.test"


@pytest.fixture
def app():
    return make_app(PUBLIC_URL=ORIGIN)


@pytest.fixture
def authenticator():
    return Authenticator(ORIGIN, RP_ID)


def creation_options(client, headers) -> dict:
    response = client.post("/me/passkeys/options", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def request_options(client) -> dict:
    response = client.post("/login/passkey/options")
    assert response.status_code == 200, response.json
    return response.json


def add_passkey(client, headers, authenticator, name: str | None = "Laptop") -> dict:
    credential = authenticator.create(creation_options(client, headers))
    body = {"credential": credential} if name is None else {"credential": credential, "name": name}
    response = client.post("/me/passkeys", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def passkey_login(client, authenticator, **kwargs):
    credential = authenticator.get(request_options(client), **kwargs)
    return client.post("/login/passkey", json={"credential": credential})


@pytest.fixture
def registered(client, auth_headers, authenticator) -> dict:
    return add_passkey(client, auth_headers, authenticator)


def events(caplog) -> list[tuple[str, dict]]:
    return [
        (record.event, vars(record))
        for record in caplog.records
        if record.name == "audit" and hasattr(record, "event")
    ]


def test_the_creation_options_ask_for_a_discoverable_verified_credential(client, auth_headers):
    options = creation_options(client, auth_headers)

    assert options["rp"] == {"id": RP_ID, "name": "Flask JWT Auth API"}
    assert options["user"]["name"] == "alice"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert {param["alg"] for param in options["pubKeyCredParams"]} == {-7, -8, -257}
    assert len(options["challenge"]) >= 43  # at least 32 random bytes, base64url
    assert options["excludeCredentials"] == []


def test_add_list_and_sign_in_with_the_passkey_alone(client, auth_headers, authenticator):
    created = add_passkey(client, auth_headers, authenticator, name="  Laptop  ")

    assert set(created) == {"id", "name", "created_at"}
    assert created["name"] == "Laptop"
    listed = client.get("/me/passkeys", headers=auth_headers).json
    assert listed == [
        {
            **created,
            "last_used_at": None,
            "transports": ["internal"],
            "locked": False,
        }
    ]

    options = request_options(client)
    assert options["rpId"] == RP_ID
    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == []  # discoverable: no username asked first
    credential = authenticator.get(options)
    response = client.post("/login/passkey", json={"credential": credential})

    assert response.status_code == 200, response.json
    tokens = response.json
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    me = client.get("/me", headers=bearer(tokens["access_token"]))
    assert me.json["username"] == "alice"
    # Fresh: it may remove a passkey at once, as a password login's token may.
    last = client.get("/me/passkeys", headers=bearer(tokens["access_token"])).json[0]
    assert last["last_used_at"] is not None
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 200


def test_a_second_passkey_is_excluded_from_nothing_but_the_first(client, auth_headers):
    first = add_passkey(client, auth_headers, Authenticator(ORIGIN, RP_ID), name=None)

    options = creation_options(client, auth_headers)

    assert first["name"] == "Passkey"
    assert len(options["excludeCredentials"]) == 1
    assert options["excludeCredentials"][0]["transports"] == ["internal"]


def test_the_passkey_login_is_fresh_and_can_use_cookies(client, registered, authenticator):
    credential = authenticator.get(request_options(client))

    response = client.post("/login/passkey", json={"credential": credential, "transport": "cookie"})

    assert response.status_code == 200
    assert response.json["token_type"] == "cookie" and "access_token" not in response.json
    cookies = {cookie.key: cookie for cookie in client._cookies.values()}
    assert {"access_token_cookie", "refresh_token_cookie", "csrf_access_token"} <= set(cookies)
    csrf = cookies["csrf_access_token"].value
    removed = client.delete(f"/me/passkeys/{registered['id']}", headers={"X-CSRF-TOKEN": csrf})
    assert removed.status_code == 204


def test_an_assertion_for_another_origin_is_refused(client, registered, authenticator):
    response = passkey_login(client, authenticator, origin="https://evil.example")

    body = assert_error(response, 401, "passkey_invalid")
    assert "origin" in body["message"]


def test_an_assertion_for_another_rp_id_is_refused(client, registered, authenticator):
    response = passkey_login(client, authenticator, rp_id="evil.example")

    body = assert_error(response, 401, "passkey_invalid")
    assert "RP ID" in body["message"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"origin": "https://evil.example"}, "origin"), ({"rp_id": "evil.example"}, "RP ID")],
)
def test_a_registration_for_another_origin_or_rp_id_is_refused(
    client, auth_headers, authenticator, change, reason
):
    credential = authenticator.create(creation_options(client, auth_headers), **change)

    response = client.post("/me/passkeys", json={"credential": credential}, headers=auth_headers)

    assert reason in assert_error(response, 400, "invalid_credential")["message"]
    assert client.get("/me/passkeys", headers=auth_headers).json == []


def test_a_replayed_assertion_is_refused(client, registered, authenticator):
    credential = authenticator.get(request_options(client))
    assert client.post("/login/passkey", json={"credential": credential}).status_code == 200

    replayed = client.post("/login/passkey", json={"credential": credential})

    assert_error(replayed, 401, "invalid_challenge")


def test_a_failed_sign_in_spends_its_challenge(client, registered, authenticator):
    options = request_options(client)
    wrong = authenticator.get(options, origin="https://evil.example")
    assert client.post("/login/passkey", json={"credential": wrong}).status_code == 401

    right = authenticator.get(options)

    assert_error(
        client.post("/login/passkey", json={"credential": right}), 401, "invalid_challenge"
    )


def test_a_replayed_registration_is_refused(client, auth_headers, authenticator):
    credential = authenticator.create(creation_options(client, auth_headers))
    body = {"credential": credential}
    assert client.post("/me/passkeys", json=body, headers=auth_headers).status_code == 201

    replayed = client.post("/me/passkeys", json=body, headers=auth_headers)

    assert_error(replayed, 400, "invalid_challenge")


def test_an_expired_challenge_is_refused(app, client, registered, authenticator):
    options = request_options(client)
    with app.app_context():
        db.session.execute(
            update(PasskeyChallenge).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()

    response = client.post("/login/passkey", json={"credential": authenticator.get(options)})

    assert_error(response, 401, "invalid_challenge")


def test_expired_challenges_go_as_new_ceremonies_start(app, client):
    request_options(client)
    request_options(client)
    with app.app_context():
        db.session.execute(
            update(PasskeyChallenge).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()

    request_options(client)

    with app.app_context():
        assert db.session.scalar(select(func.count(PasskeyChallenge.id))) == 1


def test_a_challenge_serves_only_its_ceremony_and_its_user(app, client, auth_headers):
    make_user(app, "bob")
    bob = bearer(login(client, "bob")["access_token"])
    alices_options = creation_options(client, auth_headers)
    bobs_authenticator = Authenticator(ORIGIN, RP_ID)

    # Bob answers Alice's registration challenge: it is not his to spend.
    stolen = bobs_authenticator.create(alices_options)
    refused = client.post("/me/passkeys", json={"credential": stolen}, headers=bob)
    assert_error(refused, 400, "invalid_challenge")

    # A registration challenge does not sign anyone in.
    add_passkey(client, bob, bobs_authenticator)
    as_login = bobs_authenticator.get(creation_options(client, bob))
    assert_error(
        client.post("/login/passkey", json={"credential": as_login}), 401, "invalid_challenge"
    )


def test_a_counter_that_goes_backwards_is_refused_logged_and_locks_the_passkey(
    client, auth_headers, registered, authenticator, caplog
):
    assert passkey_login(client, authenticator, count=5).status_code == 200
    caplog.set_level(logging.INFO, logger="audit")

    cloned = passkey_login(client, authenticator, count=3)

    assert_error(cloned, 401, "sign_count_regressed")
    regressed = [extra for name, extra in events(caplog) if name == "sign_count_regressed"]
    assert len(regressed) == 1
    assert regressed[0]["passkey_id"] == registered["id"]
    assert (regressed[0]["stored_count"], regressed[0]["presented_count"]) == (5, 3)
    assert client.get("/me/passkeys", headers=auth_headers).json[0]["locked"] is True
    # Locked for good: even a counter above the stored one signs nobody in.
    assert_error(passkey_login(client, authenticator, count=50), 401, "passkey_locked")


def test_the_same_counter_twice_is_a_regression(client, registered, authenticator):
    assert passkey_login(client, authenticator, count=7).status_code == 200

    assert_error(passkey_login(client, authenticator, count=7), 401, "sign_count_regressed")


def test_an_authenticator_without_a_counter_signs_in_every_time(client, registered, authenticator):
    statuses = [passkey_login(client, authenticator, count=0).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


def test_a_signature_by_another_key_is_refused(client, registered, authenticator):
    other = Authenticator(ORIGIN, RP_ID).key

    response = passkey_login(client, authenticator, key=other)

    assert "signature" in assert_error(response, 401, "passkey_invalid")["message"]


def test_an_assertion_without_user_verification_is_refused(client, registered, authenticator):
    response = passkey_login(client, authenticator, flags=UP)

    assert "verif" in assert_error(response, 401, "passkey_invalid")["message"]


def test_an_unknown_credential_is_refused(client, registered):
    stranger = Authenticator(ORIGIN, RP_ID)
    stranger.user_handle = b"someone"

    assert_error(passkey_login(client, stranger), 401, "unknown_credential")


def test_a_user_handle_of_another_account_is_refused(client, registered, authenticator):
    authenticator.user_handle = b"another account's handle"

    assert_error(passkey_login(client, authenticator), 401, "passkey_invalid")


def test_removing_needs_a_fresh_token_and_then_the_passkey_signs_nobody_in(
    client, tokens, auth_headers, registered, authenticator
):
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json
    stale = bearer(refreshed["access_token"])

    refused = client.delete(f"/me/passkeys/{registered['id']}", headers=stale)
    removed = client.delete(f"/me/passkeys/{registered['id']}", headers=auth_headers)

    assert_error(refused, 401, "fresh_token_required")
    assert removed.status_code == 204
    assert client.get("/me/passkeys", headers=auth_headers).json == []
    assert_error(passkey_login(client, authenticator), 401, "unknown_credential")
    again = client.delete(f"/me/passkeys/{registered['id']}", headers=auth_headers)
    assert_error(again, 404)


def test_starting_a_registration_needs_a_fresh_token(client, tokens):
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json

    response = client.post("/me/passkeys/options", headers=bearer(refreshed["access_token"]))

    assert_error(response, 401, "fresh_token_required")


def test_another_users_passkey_is_not_found(app, client, registered):
    make_user(app, "bob")
    bob = bearer(login(client, "bob")["access_token"])

    assert client.get("/me/passkeys", headers=bob).json == []
    assert_error(client.delete(f"/me/passkeys/{registered['id']}", headers=bob), 404)


def test_one_authenticator_is_registered_once(client, auth_headers, registered, authenticator):
    again = authenticator.create(creation_options(client, auth_headers))

    response = client.post("/me/passkeys", json={"credential": again}, headers=auth_headers)

    assert_error(response, 409, "passkey_exists")


def test_a_deleted_users_passkeys_go_with_them(client, user_id, auth_headers, authenticator):
    add_passkey(client, auth_headers, authenticator)

    assert client.delete(f"/user/{user_id}", headers=auth_headers).status_code == 204

    assert_error(passkey_login(client, authenticator), 401, "unknown_credential")


def test_count_and_remove_all_for_the_support_command(app, client, auth_headers, user_id):
    add_passkey(client, auth_headers, Authenticator(ORIGIN, RP_ID))
    second = Authenticator(ORIGIN, RP_ID)
    add_passkey(client, auth_headers, second)
    creation_options(client, auth_headers)  # a ceremony under way goes too

    with app.app_context():
        before = passkeys.count(user_id)
        removed = passkeys.remove_all(user_id)
        db.session.commit()
        after = passkeys.count(user_id)

    assert (before, removed, after) == (2, 2, 0)
    assert_error(passkey_login(client, second), 401, "unknown_credential")


def test_with_required_verified_email_an_unverified_account_is_refused(
    app, client, registered, authenticator
):
    # The rule switched on after the passkey was added (as an operator may do).
    app.config["REQUIRE_VERIFIED_EMAIL"] = True

    response = passkey_login(client, authenticator)

    assert_error(response, 403, "email_not_verified")


def test_every_passkey_event_is_logged_without_secrets(client, auth_headers, authenticator, caplog):
    caplog.set_level(logging.INFO, logger="audit")
    created = add_passkey(client, auth_headers, authenticator)
    tokens = passkey_login(client, authenticator).json
    assert_error(passkey_login(client, Authenticator(ORIGIN, RP_ID)), 401)
    client.delete(f"/me/passkeys/{created['id']}", headers=bearer(tokens["access_token"]))

    names = [name for name, _ in events(caplog)]

    assert names == [
        "passkey_added",
        "passkey_used",
        "login",
        "passkey_login_failed",
        "passkey_removed",
    ]
    logged = "\n".join(str(extra) for _, extra in events(caplog))
    assert tokens["access_token"] not in logged


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"response": "x"},
        {"response": {"clientDataJSON": "!!not base64!!"}},
        {"response": {"clientDataJSON": "e30"}},  # {}: no challenge
        {"response": {"clientDataJSON": "W1tbW1tbW1tbW1td"}},  # [[[[...: not an object
        {"id": "x", "response": {"clientDataJSON": "eyJjaGFsbGVuZ2UiOiAiIiwgInR5cGUiOiAiIn0"}},
    ],
)
def test_a_malformed_credential_is_400_in_the_envelope(client, auth_headers, credential):
    login_answer = client.post("/login/passkey", json={"credential": credential})
    register_answer = client.post(
        "/me/passkeys", json={"credential": credential}, headers=auth_headers
    )

    assert_error(login_answer, 400, "invalid_credential")
    assert_error(register_answer, 400, "invalid_credential")


def test_a_credential_with_a_live_challenge_but_garbage_inside_is_refused(
    client, auth_headers, registered, authenticator
):
    credential = authenticator.get(request_options(client))
    credential["response"]["authenticatorData"] = "AAAA"
    credential["response"]["userHandle"] = 12

    response = client.post("/login/passkey", json={"credential": credential})

    assert_error(response, 400, "invalid_credential")


def test_passkey_sign_ins_share_the_address_budget_of_login():
    app = make_app(
        PUBLIC_URL=ORIGIN, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ADDRESS="3 per minute"
    )
    make_user(app, "alice")
    client = app.test_client()

    statuses = [
        client.post("/login/passkey/options").status_code,
        client.post("/login", json={"username": "alice", "password": "wrong"}).status_code,
        client.post("/login/passkey", json={"credential": {}}).status_code,
        client.post("/login/passkey/options").status_code,
    ]

    assert statuses == [200, 401, 400, 429]
