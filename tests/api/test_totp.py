"""TOTP with recovery codes: set-up, the two-step login, replay, limits, turning it off.

Codes are computed from the secret with pyotp, as an authenticator app would: nothing
about verification is mocked. One step is 30 seconds and the server accepts the steps
either side of its own, so a test has three codes it can use without waiting: the
set-up helper spends the one of the previous step, leaving now's and the next one's.
"""

import time
from datetime import timedelta

import pyotp
import pytest

from auth import account_tokens
from extensions import db
from tests.factories import PASSWORD, assert_error, bearer, login, previous_step_code

LOGIN = {"username": "alice", "password": PASSWORD}


def code(secret: str, steps: int = 0) -> str:
    """The code the app shows `steps` steps from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def turn_on(client, headers) -> tuple[str, list[str], str]:
    """Set TOTP up and confirm it with the previous step's code: the secret, the recovery
    codes, and the code spent (refused from now on, whatever the time)."""
    started = client.post("/me/mfa/totp", headers=headers)
    assert started.status_code == 200, started.json
    secret = started.json["secret"]
    spent = previous_step_code(secret)
    confirmed = client.post("/me/mfa/totp/confirm", json={"code": spent}, headers=headers)
    assert confirmed.status_code == 200, confirmed.json
    return secret, confirmed.json["recovery_codes"], spent


def mfa_token(client) -> str:
    response = client.post("/login", json=LOGIN)
    assert_error(response, 403, "mfa_required")
    return response.json["mfa_token"]


def second_step(client, **proof):
    """A new login's second step, with `code=` or `recovery_code=`."""
    return client.post("/login/mfa", json={"mfa_token": mfa_token(client), **proof})


@pytest.fixture
def secret_and_codes(client, auth_headers) -> tuple[str, list[str], str]:
    return turn_on(client, auth_headers)


@pytest.fixture
def secret(secret_and_codes) -> str:
    return secret_and_codes[0]


@pytest.fixture
def recovery(secret_and_codes) -> list[str]:
    return secret_and_codes[1]


@pytest.fixture
def spent(secret_and_codes) -> str:
    """The code the set-up spent."""
    return secret_and_codes[2]


def events(caplog) -> list[str]:
    return [getattr(record, "event", None) for record in caplog.records]


# Set-up


def test_setup_gives_a_pending_secret_with_its_uri_and_qr_code(client, auth_headers):
    response = client.post("/me/mfa/totp", headers=auth_headers)

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"secret", "otpauth_uri", "qr_svg"}
    parsed = pyotp.parse_uri(body["otpauth_uri"])
    assert parsed.secret == body["secret"] and parsed.name == "alice"
    assert parsed.issuer == "Flask JWT Auth API"
    assert body["qr_svg"].startswith("<svg") and body["qr_svg"].rstrip().endswith("</svg>")
    # Pending: nothing changes at login yet.
    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": False, "passkeys": 0}
    assert "access_token" in login(client, "alice")


def test_setup_needs_a_fresh_token(client, tokens):
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json

    response = client.post("/me/mfa/totp", headers=bearer(refreshed["access_token"]))

    assert_error(response, 401, "fresh_token_required")


def test_confirming_turns_totp_on_and_gives_ten_codes_once(client, auth_headers, caplog):
    caplog.set_level("INFO")

    secret, codes, _ = turn_on(client, auth_headers)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c.replace("-", "")) == 32 for c in codes)  # 128 bits in hex
    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": True, "passkeys": 0}
    assert "totp_enabled" in events(caplog)
    assert not any(secret in record.getMessage() for record in caplog.records)
    with client.application.app_context():
        from models import RecoveryCode

        stored = [row.code_hash for row in db.session.scalars(db.select(RecoveryCode))]
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed, never kept


def test_a_wrong_confirmation_code_leaves_totp_off(client, auth_headers):
    secret = client.post("/me/mfa/totp", headers=auth_headers).json["secret"]
    wrong = f"{(int(code(secret)) + 1) % 1_000_000:06d}"

    response = client.post("/me/mfa/totp/confirm", json={"code": wrong}, headers=auth_headers)

    assert_error(response, 400, "invalid_code")
    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": False, "passkeys": 0}


def test_a_code_two_steps_away_is_refused(client, auth_headers):
    secret = client.post("/me/mfa/totp", headers=auth_headers).json["secret"]

    for steps in (-2, 2):
        body = {"code": code(secret, steps)}
        response = client.post("/me/mfa/totp/confirm", json=body, headers=auth_headers)
        assert_error(response, 400, "invalid_code")


def test_confirming_without_a_pending_secret_is_409(client, auth_headers):
    response = client.post("/me/mfa/totp/confirm", json={"code": "123456"}, headers=auth_headers)

    assert_error(response, 409, "totp_not_pending")


def test_setting_up_again_while_active_is_409(client, auth_headers, secret):
    assert_error(client.post("/me/mfa/totp", headers=auth_headers), 409, "totp_active")
    body = {"code": code(secret, 1)}
    response = client.post("/me/mfa/totp/confirm", json=body, headers=auth_headers)
    assert_error(response, 409, "totp_active")


def test_setting_up_again_replaces_a_pending_secret(client, auth_headers):
    first = client.post("/me/mfa/totp", headers=auth_headers).json["secret"]
    second = client.post("/me/mfa/totp", headers=auth_headers).json["secret"]

    old = client.post("/me/mfa/totp/confirm", json={"code": code(first)}, headers=auth_headers)
    new = client.post("/me/mfa/totp/confirm", json={"code": code(second)}, headers=auth_headers)

    assert first != second
    if code(first) != code(second):  # one chance in a million that they agree
        assert_error(old, 400, "invalid_code")
    assert new.status_code == 200


# Login


def test_login_with_totp_asks_for_the_second_factor_and_gives_no_tokens(client, secret):
    response = client.post("/login", json=LOGIN)

    body = assert_error(response, 403, "mfa_required")
    assert body["methods"] == ["totp", "recovery_code"]
    assert isinstance(body["mfa_token"], str) and len(body["mfa_token"]) >= 40
    assert "access_token" not in body and "refresh_token" not in body
    assert "Set-Cookie" not in response.headers


def test_login_without_a_second_factor_is_unchanged(client, user_id):
    assert set(login(client, "alice")) >= {"access_token", "refresh_token"}


def test_a_wrong_password_never_reaches_the_second_factor(client, secret):
    response = client.post("/login", json={"username": "alice", "password": "wrong password"})

    body = assert_error(response, 401, "invalid_credentials")
    assert "mfa_token" not in body


def test_the_code_completes_the_login_with_fresh_tokens(client, secret, caplog):
    caplog.set_level("INFO")
    token = mfa_token(client)

    response = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert response.status_code == 200, response.json
    assert response.json["token_type"] == "Bearer"
    headers = bearer(response.json["access_token"])
    assert client.get("/me", headers=headers).json["username"] == "alice"
    # Fresh: a fresh-only endpoint answers on the merits (409), not 401.
    assert_error(client.post("/me/mfa/totp", headers=headers), 409, "totp_active")
    refreshed = client.post("/refresh", headers=bearer(response.json["refresh_token"]))
    assert refreshed.status_code == 200
    assert {"mfa_required", "login"} <= set(events(caplog))


def test_a_code_with_spaces_as_apps_show_it_is_accepted(client, secret):
    spaced = code(secret)[:3] + " " + code(secret)[3:]

    response = second_step(client, code=spaced)

    assert response.status_code == 200


def test_the_second_step_honours_the_cookie_transport(client, secret):
    body = {"mfa_token": mfa_token(client), "code": code(secret), "transport": "cookie"}

    response = client.post("/login/mfa", json=body)

    assert response.status_code == 200
    assert response.json["token_type"] == "cookie" and "access_token" not in response.json
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("access_token_cookie=") for c in cookies)
    assert any(c.startswith("refresh_token_cookie=") for c in cookies)


def test_a_wrong_code_is_400_and_the_token_survives_it(client, secret, caplog):
    caplog.set_level("INFO")
    token = mfa_token(client)
    wrong = f"{(int(code(secret)) + 500_000) % 1_000_000:06d}"

    for attempt in (wrong, "abcdef", "1"):
        response = client.post("/login/mfa", json={"mfa_token": token, "code": attempt})
        assert_error(response, 400, "invalid_code")
    right = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert right.status_code == 200
    assert events(caplog).count("mfa_code_failed") == 3


def test_the_fifth_code_may_be_right(client, secret):
    token = mfa_token(client)

    for _ in range(4):
        client.post("/login/mfa", json={"mfa_token": token, "code": "000000"})
    right = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert right.status_code == 200


def test_after_five_wrong_codes_the_token_takes_no_more(client, secret):
    token = mfa_token(client)

    for _ in range(5):
        response = client.post("/login/mfa", json={"mfa_token": token, "code": "000000"})
        if code(secret) != "000000":
            assert_error(response, 400, "invalid_code")
    right = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert_error(right, 401, "invalid_token")
    # A new login gets a new token and five new tries.
    again = second_step(client, code=code(secret))
    assert again.status_code == 200


def test_an_accepted_code_is_refused_the_second_time(client, secret):
    later, earlier = code(secret, 1), code(secret)  # both within the drift, neither used
    first = second_step(client, code=later)

    replay = second_step(client, code=later)
    older = second_step(client, code=earlier)

    assert first.status_code == 200
    assert_error(replay, 400, "invalid_code")
    assert_error(older, 400, "invalid_code")  # a step before the one accepted


def test_the_next_steps_code_is_accepted_for_clock_drift(client, secret):
    body = {"mfa_token": mfa_token(client), "code": code(secret, 1)}

    assert client.post("/login/mfa", json=body).status_code == 200


def test_an_mfa_token_works_once(client, secret):
    token = mfa_token(client)
    first = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    second = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret, 1)})

    assert first.status_code == 200
    assert_error(second, 401, "invalid_token")


def test_an_unknown_mfa_token_is_401(client, secret):
    response = client.post("/login/mfa", json={"mfa_token": "nope" * 10, "code": code(secret)})

    assert_error(response, 401, "invalid_token")


def test_an_expired_mfa_token_is_401(app, client, user_id, secret):
    with app.app_context():
        token = account_tokens.issue(user_id, account_tokens.MFA_LOGIN, timedelta(seconds=-1))
        db.session.commit()

    response = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert_error(response, 401, "invalid_token")


def test_another_purposes_token_is_no_mfa_token(app, client, user_id, secret):
    with app.app_context():
        token = account_tokens.issue(user_id, account_tokens.RESET_PASSWORD, timedelta(minutes=5))
        db.session.commit()

    response = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert_error(response, 401, "invalid_token")


def test_a_password_change_voids_a_waiting_mfa_token(client, auth_headers, secret):
    token = mfa_token(client)
    change = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    assert client.post("/me/password", json=change, headers=auth_headers).status_code == 200

    response = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert_error(response, 401, "invalid_token")


def test_a_password_reset_keeps_the_second_factor(app, client, user_id, secret):
    with app.app_context():
        link = account_tokens.issue(user_id, account_tokens.RESET_PASSWORD, timedelta(minutes=5))
        db.session.commit()
    new = "a brand new passphrase"

    reset = client.post("/password/reset", json={"token": link, "new_password": new})

    assert reset.status_code == 200
    response = client.post("/login", json={"username": "alice", "password": new})
    assert_error(response, 403, "mfa_required")


@pytest.mark.parametrize(
    "body",
    [
        {"code": "123456"},
        {"mfa_token": "x"},
        {"mfa_token": "x", "code": "123456", "recovery_code": "abc"},
        {"mfa_token": "x" * 129, "code": "123456"},
        {"mfa_token": "x", "code": "1" * 33},
        {"mfa_token": "x", "code": 123456},
    ],
)
def test_malformed_second_steps_are_422(client, body):
    assert_error(client.post("/login/mfa", json=body), 422)


# Recovery codes


def test_a_recovery_code_logs_in_once(client, recovery, caplog):
    caplog.set_level("INFO")

    first = second_step(client, recovery_code=recovery[0])
    again = second_step(client, recovery_code=recovery[0])

    assert first.status_code == 200
    assert_error(again, 400, "invalid_code")
    used = [r for r in caplog.records if getattr(r, "event", None) == "recovery_code_used"]
    assert len(used) == 1 and used[0].remaining == 9
    assert not any(recovery[0] in record.getMessage() for record in caplog.records)


def test_a_recovery_code_is_read_without_case_spaces_or_dashes(client, recovery):
    typed = recovery[1].upper().replace("-", " ")

    response = second_step(client, recovery_code=typed)

    assert response.status_code == 200


def test_another_accounts_recovery_code_does_nothing(client, recovery):
    from tests.factories import make_user

    make_user(client.application, "bob")
    bob_headers = bearer(login(client, "bob")["access_token"])
    _, bob_codes, _ = turn_on(client, bob_headers)

    response = second_step(client, recovery_code=bob_codes[0])

    assert_error(response, 400, "invalid_code")


def test_new_recovery_codes_replace_the_old_ones(client, auth_headers, secret, recovery, caplog):
    caplog.set_level("INFO")

    response = client.post(
        "/me/mfa/recovery-codes", json={"code": code(secret)}, headers=auth_headers
    )

    assert response.status_code == 200
    new = response.json["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(recovery)
    old = second_step(client, recovery_code=recovery[0])
    assert_error(old, 400, "invalid_code")
    fresh = second_step(client, recovery_code=new[0])
    assert fresh.status_code == 200
    assert "recovery_codes_regenerated" in events(caplog)


def test_new_recovery_codes_need_a_right_code(client, auth_headers, spent, recovery):
    response = client.post("/me/mfa/recovery-codes", json={"code": spent}, headers=auth_headers)

    assert_error(response, 400, "invalid_code")  # the step the set-up already used
    assert second_step(client, recovery_code=recovery[0]).status_code == 200


def test_new_recovery_codes_without_totp_is_409(client, auth_headers):
    response = client.post("/me/mfa/recovery-codes", json={"code": "123456"}, headers=auth_headers)

    assert_error(response, 409, "totp_not_active")


# Re-authentication


def test_reauthenticate_asks_for_the_second_factor(client, auth_headers, secret):
    response = client.post("/reauthenticate", json={"password": PASSWORD}, headers=auth_headers)

    body = assert_error(response, 403, "mfa_required")
    assert body["methods"] == ["totp", "recovery_code"] and "mfa_token" not in body


def test_reauthenticate_with_a_wrong_code_is_400(client, auth_headers, spent):
    body = {"password": PASSWORD, "code": spent}

    response = client.post("/reauthenticate", json=body, headers=auth_headers)

    assert_error(response, 400, "invalid_code")


def test_reauthenticate_with_a_wrong_password_and_a_right_code_is_401(client, auth_headers, secret):
    body = {"password": "not the password", "code": code(secret)}

    response = client.post("/reauthenticate", json=body, headers=auth_headers)

    assert_error(response, 401, "invalid_credentials")
    # The code was never looked at, so it is still good.
    ok = {"password": PASSWORD, "code": code(secret)}
    assert client.post("/reauthenticate", json=ok, headers=auth_headers).status_code == 200


@pytest.mark.parametrize("kind", ["code", "recovery_code"])
def test_reauthenticate_with_password_and_factor_gives_a_fresh_token(
    client, tokens, secret, recovery, kind
):
    stale = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json["access_token"]
    proof = code(secret) if kind == "code" else recovery[0]

    response = client.post(
        "/reauthenticate", json={"password": PASSWORD, kind: proof}, headers=bearer(stale)
    )

    assert response.status_code == 200, response.json
    fresh = bearer(response.json["access_token"])
    assert_error(client.post("/me/mfa/totp", headers=fresh), 409, "totp_active")


# Turning it off, and support's reset


def test_turning_totp_off_needs_a_fresh_token(client, tokens, secret):
    stale = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json["access_token"]

    response = client.delete("/me/mfa/totp", json={"code": code(secret)}, headers=bearer(stale))

    assert_error(response, 401, "fresh_token_required")


@pytest.mark.parametrize("kind", ["code", "recovery_code"])
def test_turning_totp_off_with_a_code(client, auth_headers, secret, recovery, kind, caplog):
    caplog.set_level("INFO")
    proof = code(secret) if kind == "code" else recovery[0]

    response = client.delete("/me/mfa/totp", json={kind: proof}, headers=auth_headers)

    assert response.status_code == 204
    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": False, "passkeys": 0}
    assert "access_token" in login(client, "alice")
    assert "totp_disabled" in events(caplog)
    # The recovery codes went with it.
    assert_error(
        client.post("/me/mfa/recovery-codes", json={"code": code(secret, 1)}, headers=auth_headers),
        409,
        "totp_not_active",
    )


def test_turning_totp_off_with_a_wrong_code_is_400(client, auth_headers, spent):
    response = client.delete("/me/mfa/totp", json={"code": spent}, headers=auth_headers)

    assert_error(response, 400, "invalid_code")
    assert client.get("/me", headers=auth_headers).json["mfa"] == {"totp": True, "passkeys": 0}


def test_turning_totp_off_needs_one_proof(client, auth_headers, secret):
    assert_error(client.delete("/me/mfa/totp", json={}, headers=auth_headers), 422)


def test_turning_totp_off_when_it_is_off_is_409(client, auth_headers):
    response = client.delete("/me/mfa/totp", json={"code": "123456"}, headers=auth_headers)

    assert_error(response, 409, "totp_not_active")


def test_mfa_reset_removes_the_factors_and_ends_the_sessions(app, client, tokens, secret, caplog):
    caplog.set_level("INFO")

    result = app.test_cli_runner().invoke(args=["users", "mfa-reset", "alice"])

    assert result.exit_code == 0, result.output
    assert "1 session(s) ended" in result.output
    assert_error(client.get("/me", headers=bearer(tokens["access_token"])), 401, "token_revoked")
    again = login(client, "alice")
    me = client.get("/me", headers=bearer(again["access_token"])).json
    assert me["mfa"] == {"totp": False, "passkeys": 0}
    assert "mfa_reset" in events(caplog)


def test_mfa_reset_of_an_unknown_user_fails(app, user_id):
    result = app.test_cli_runner().invoke(args=["users", "mfa-reset", "nobody"])

    assert result.exit_code != 0 and "no user 'nobody'" in result.output


def test_deleting_the_user_deletes_their_factors(app, client, auth_headers, user_id, secret):
    from models import RecoveryCode, TotpFactor

    assert client.delete(f"/user/{user_id}", headers=auth_headers).status_code == 204

    with app.app_context():
        assert db.session.scalars(db.select(TotpFactor)).all() == []
        assert db.session.scalars(db.select(RecoveryCode)).all() == []


# Throttling: codes count on the account's budget, the one /login's passwords count on


@pytest.fixture
def throttled():
    from tests.conftest import make_app
    from tests.factories import make_user

    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN_PER_ACCOUNT="4 per minute",
        RATELIMIT_LOGIN_PER_ADDRESS="100 per minute",
    )
    make_user(app, "alice")
    return app


def test_wrong_codes_spend_the_accounts_login_budget(throttled):
    client = throttled.test_client()
    secret, _, _ = turn_on(client, bearer(login(client, "alice")["access_token"]))
    token = mfa_token(client)

    for _ in range(4):
        response = client.post("/login/mfa", json={"mfa_token": token, "code": "000000"})
        assert response.status_code == (400 if code(secret) != "000000" else 200)
    password = client.post("/login", json=LOGIN)
    right_code = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert_error(password, 429)
    assert "Retry-After" in password.headers
    assert_error(right_code, 429)


def test_wrong_passwords_spend_the_budget_codes_need(throttled):
    client = throttled.test_client()
    secret, _, _ = turn_on(client, bearer(login(client, "alice")["access_token"]))
    token = mfa_token(client)

    for _ in range(4):
        client.post("/login", json={"username": "alice", "password": "wrong password"})
    response = client.post("/login/mfa", json={"mfa_token": token, "code": code(secret)})

    assert_error(response, 429)


def test_right_codes_cost_no_budget(throttled):
    client = throttled.test_client()
    secret, _, _ = turn_on(client, bearer(login(client, "alice")["access_token"]))

    first = second_step(client, code=code(secret))
    for _ in range(3):
        client.post("/login", json={"username": "alice", "password": "wrong password"})
    second = second_step(client, code=code(secret, 1))

    assert first.status_code == 200 and second.status_code == 200


def test_reauthenticating_with_a_code_while_the_password_is_rehashed(throttled):
    # The throttle's counters live in the app's own database here: a re-hashed password
    # written before the code's check would hold the SQLite write lock the counter needs.
    from tests.conftest import build_app

    client = throttled.test_client()
    tokens = login(client, "alice")
    secret, _, _ = turn_on(client, bearer(tokens["access_token"]))
    stronger = build_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN_PER_ACCOUNT="4 per minute",
        PASSWORD_HASH_ROUNDS=1001,
    ).test_client()

    body = {"password": PASSWORD, "code": code(secret)}
    response = stronger.post("/reauthenticate", json=body, headers=bearer(tokens["access_token"]))

    assert response.status_code == 200, response.json
    with throttled.app_context():
        from models import User

        assert "$1001$" in db.session.scalars(db.select(User)).one().password_hash
