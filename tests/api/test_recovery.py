"""Account recovery through HTTP, with a real SMTP server receiving the messages."""

import logging
from datetime import timedelta

import pytest

from extensions import db
from tests.conftest import drain_mail, make_app
from tests.factories import PASSWORD, assert_error, bearer, login
from tests.mailbox import Mailbox, text_of, token_in

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box
        drain_mail()  # nothing still on its way when the server stops


@pytest.fixture
def app(mailbox):
    return make_app(MAIL_URL=mailbox.url, PUBLIC_URL="https://auth.example.test")


def delivered(client) -> None:
    client.application.extensions["mailer"].drain()


def register(client, username="alice", email="alice@example.com"):
    body = {"username": username, "password": PASSWORD, "email": email}
    response = client.post("/register", json=body)
    assert response.status_code == 201, response.json
    delivered(client)
    return response.json["id"]


def me(client, tokens):
    return client.get("/me", headers=bearer(tokens["access_token"])).json


def forgot(client, **body):
    response = client.post("/password/forgot", json=body)
    delivered(client)
    return response


def test_registering_with_an_address_sends_a_verification_link(client, mailbox):
    register(client)

    (message,) = mailbox.to("alice@example.com")
    assert message["Subject"] == "Confirm your e-mail address"
    assert "https://auth.example.test/account/verify-email?token=" in text_of(message)
    shown = me(client, login(client, "alice"))
    assert (shown["email"], shown["email_verified"]) == ("alice@example.com", False)


def test_the_verification_link_verifies_once(client, mailbox):
    register(client)
    token = token_in(mailbox.to("alice@example.com")[0])

    response = client.post("/email/verify", json={"token": token})

    assert response.status_code == 200
    assert response.json["email"] == "alice@example.com"
    assert me(client, login(client, "alice"))["email_verified"] is True
    assert_error(
        client.post("/email/verify", json={"token": token}), 400, "invalid_or_expired_token"
    )


@pytest.mark.parametrize("token", ["nope", "x" * 128, "\u00e9t\u00e9"])
def test_an_unknown_token_is_400(client, token):
    assert_error(
        client.post("/email/verify", json={"token": token}), 400, "invalid_or_expired_token"
    )
    body = {"token": token, "new_password": NEW_PASSWORD}
    assert_error(client.post("/password/reset", json=body), 400, "invalid_or_expired_token")


def test_resend_sends_a_new_link_and_the_older_one_dies(client, mailbox):
    register(client)
    tokens = login(client, "alice")
    first = token_in(mailbox.to("alice@example.com")[0])

    response = client.post("/email/verify/resend", headers=bearer(tokens["access_token"]))
    delivered(client)

    assert response.status_code == 202
    second = token_in(mailbox.to("alice@example.com")[1])
    assert_error(
        client.post("/email/verify", json={"token": first}), 400, "invalid_or_expired_token"
    )
    assert client.post("/email/verify", json={"token": second}).status_code == 200
    again = client.post("/email/verify/resend", headers=bearer(tokens["access_token"]))
    assert_error(again, 409, "already_verified")


def test_forgot_answers_the_same_for_known_and_unknown_accounts(client, mailbox):
    register(client)
    mailbox.messages.clear()

    known = forgot(client, email="alice@example.com")
    unknown = forgot(client, email="nobody@example.com")
    by_name = forgot(client, username="alice")
    no_name = forgot(client, username="nobody")

    assert {r.status_code for r in (known, unknown, by_name, no_name)} == {202}
    assert known.json == unknown.json == by_name.json == no_name.json
    assert len(mailbox.to("alice@example.com")) == 2
    assert mailbox.to("nobody@example.com") == []
    assert len(mailbox.messages) == 2


@pytest.mark.parametrize(
    "body", [{}, {"email": "alice@example.com", "username": "alice"}, {"email": "not an address"}]
)
def test_forgot_needs_exactly_one_well_formed_identifier(client, body):
    assert_error(client.post("/password/forgot", json=body), 422)


def test_a_reset_changes_the_password_and_ends_every_session(client, mailbox):
    register(client)
    sessions = [login(client, "alice") for _ in range(2)]
    forgot(client, email="alice@example.com")
    token = token_in(mailbox.to("alice@example.com")[-1])

    response = client.post("/password/reset", json={"token": token, "new_password": NEW_PASSWORD})
    delivered(client)

    assert response.status_code == 200
    for tokens in sessions:
        assert_error(client.get("/me", headers=bearer(tokens["access_token"])), 401)
        assert_error(client.post("/refresh", headers=bearer(tokens["refresh_token"])), 401)
    assert_error(client.post("/login", json={"username": "alice", "password": PASSWORD}), 401)
    assert login(client, "alice", NEW_PASSWORD)
    assert mailbox.to("alice@example.com")[-1]["Subject"] == "Your password was changed"
    again = client.post(
        "/password/reset", json={"token": token, "new_password": "yet another one!"}
    )
    assert_error(again, 400, "invalid_or_expired_token")


def test_a_weak_new_password_is_refused_and_the_token_stays_good(client, mailbox):
    register(client)
    forgot(client, username="alice")
    token = token_in(mailbox.to("alice@example.com")[-1])

    weak = client.post("/password/reset", json={"token": token, "new_password": "password"})

    assert_error(weak, 422)
    body = {"token": token, "new_password": NEW_PASSWORD}
    assert client.post("/password/reset", json=body).status_code == 200


def test_an_expired_reset_token_is_refused(mailbox):
    # Minted already expired: the configured lifetime, in the past.
    app = make_app(MAIL_URL=mailbox.url)
    app.config["PASSWORD_RESET_EXPIRES"] = timedelta(seconds=-1)  # past the start checks
    client = app.test_client()
    register(client)
    forgot(client, email="alice@example.com")
    token = token_in(mailbox.to("alice@example.com")[-1])

    body = {"token": token, "new_password": NEW_PASSWORD}
    assert_error(client.post("/password/reset", json=body), 400, "invalid_or_expired_token")


def test_an_expired_verification_token_is_refused(mailbox):
    app = make_app(MAIL_URL=mailbox.url)
    app.config["EMAIL_VERIFY_EXPIRES"] = timedelta(seconds=-1)  # past the start checks
    client = app.test_client()
    register(client)
    token = token_in(mailbox.to("alice@example.com")[0])

    assert_error(
        client.post("/email/verify", json={"token": token}), 400, "invalid_or_expired_token"
    )


def test_a_password_change_kills_the_reset_link(client, mailbox):
    register(client)
    forgot(client, email="alice@example.com")
    token = token_in(mailbox.to("alice@example.com")[-1])
    tokens = login(client, "alice")

    changed = client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens["access_token"]),
    )

    assert changed.status_code == 200
    body = {"token": token, "new_password": "yet another passphrase"}
    assert_error(client.post("/password/reset", json=body), 400, "invalid_or_expired_token")


def test_a_newer_reset_link_does_not_revive_an_older_one(client, mailbox):
    register(client)
    forgot(client, email="alice@example.com")
    forgot(client, email="alice@example.com")
    older, newer = (token_in(m) for m in mailbox.to("alice@example.com")[-2:])

    body = {"token": newer, "new_password": NEW_PASSWORD}
    assert client.post("/password/reset", json=body).status_code == 200
    body = {"token": older, "new_password": "yet another passphrase"}
    assert_error(client.post("/password/reset", json=body), 400, "invalid_or_expired_token")


def test_a_token_of_the_wrong_purpose_does_nothing_and_is_not_spent(client, mailbox):
    register(client)
    verify_token = token_in(mailbox.to("alice@example.com")[0])
    forgot(client, email="alice@example.com")
    reset_token = token_in(mailbox.to("alice@example.com")[-1])

    wrong = client.post(
        "/password/reset", json={"token": verify_token, "new_password": NEW_PASSWORD}
    )
    assert_error(wrong, 400, "invalid_or_expired_token")
    assert_error(client.post("/email/verify", json={"token": reset_token}), 400)

    assert client.post("/email/verify", json={"token": verify_token}).status_code == 200
    body = {"token": reset_token, "new_password": NEW_PASSWORD}
    assert client.post("/password/reset", json=body).status_code == 200


def test_changing_the_address_takes_effect_once_verified(client, mailbox):
    register(client)
    client.post("/email/verify", json={"token": token_in(mailbox.to("alice@example.com")[0])})
    tokens = login(client, "alice")

    response = client.post(
        "/me/email", json={"email": "alice@new.example"}, headers=bearer(tokens["access_token"])
    )
    delivered(client)

    assert response.status_code == 202
    assert me(client, tokens)["email"] == "alice@example.com"
    assert mailbox.to("alice@example.com")[-1]["Subject"] == "Your e-mail address is being changed"
    token = token_in(mailbox.to("alice@new.example")[0])
    assert client.post("/email/verify", json={"token": token}).json["email"] == "alice@new.example"
    shown = me(client, tokens)
    assert (shown["email"], shown["email_verified"]) == ("alice@new.example", True)
    assert forgot(client, email="alice@example.com").status_code == 202
    assert len(mailbox.to("alice@example.com")) == 2  # the old address gets no reset link


def test_an_address_belongs_to_one_account(client, mailbox):
    register(client)
    register(client, "bob", "bob@example.com")
    tokens = login(client, "bob")

    taken = client.post(
        "/me/email", json={"email": "alice@EXAMPLE.com"}, headers=bearer(tokens["access_token"])
    )
    body = {"username": "carol", "password": PASSWORD, "email": "alice@Example.Com"}

    assert_error(taken, 409, "email_taken")
    assert_error(client.post("/register", json=body), 409, "email_taken")
    # The local part is compared as given: another mailbox, another account.
    register(client, "dave", "Alice@example.com")


def test_changing_the_address_needs_a_fresh_token(client, mailbox):
    register(client)
    tokens = login(client, "alice")
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json

    response = client.post(
        "/me/email", json={"email": "a@new.example"}, headers=bearer(refreshed["access_token"])
    )

    assert_error(response, 401, "fresh_token_required")


def test_a_verified_address_can_be_required(mailbox):
    app = make_app(MAIL_URL=mailbox.url, REQUIRE_VERIFIED_EMAIL=True)
    client = app.test_client()
    no_address = client.post("/register", json={"username": "bob", "password": PASSWORD})
    register(client)

    unverified = client.post("/login", json={"username": "alice", "password": PASSWORD})
    wrong = client.post("/login", json={"username": "alice", "password": "wrong password"})

    assert_error(no_address, 422)
    assert_error(unverified, 403, "email_not_verified")
    assert_error(wrong, 401, "invalid_credentials")
    client.post("/email/verify", json={"token": token_in(mailbox.to("alice@example.com")[0])})
    assert login(client, "alice")


def test_a_mail_server_that_refuses_changes_nothing_the_caller_sees(client, mailbox, caplog):
    register(client)
    mailbox.refuse = True

    with caplog.at_level(logging.ERROR, logger="mailer"):
        response = forgot(client, email="alice@example.com")

    assert response.status_code == 202
    assert client.application.extensions["mailer"].failed == 1
    assert "mail not sent (Reset your password)" in caplog.text


def test_a_mail_server_that_is_down_changes_nothing_the_caller_sees(caplog):
    with Mailbox() as closed:
        url = closed.url  # the port is free again once the server stops
    app = make_app(MAIL_URL=url)
    client = app.test_client()
    client.post("/register", json={"username": "alice", "password": PASSWORD})
    with caplog.at_level(logging.ERROR, logger="mailer"):
        registered = client.post(
            "/register", json={"username": "bob", "password": PASSWORD, "email": "b@example.com"}
        )
        response = forgot(client, email="b@example.com")

    assert registered.status_code == 201
    assert response.status_code == 202
    assert response.json["message"].startswith("If an account matches")
    assert app.extensions["mailer"].failed == 2
    assert "ConnectionRefusedError" in caplog.text


def test_no_token_or_link_reaches_the_log(client, mailbox, caplog):
    with caplog.at_level(logging.DEBUG):
        register(client)
        forgot(client, email="alice@example.com")
        tokens = [token_in(m) for m in mailbox.to("alice@example.com")]
        client.post("/email/verify", json={"token": tokens[0]})
        client.post("/password/reset", json={"token": tokens[1], "new_password": NEW_PASSWORD})

    # The app's records; aiosmtpd (the test's own mail server, logger "mail.log") prints
    # whatever it receives.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    assert "mail sent (Reset your password)" in ours
    for token in tokens:
        assert token not in ours
    assert "/account/" not in ours


def test_without_a_mail_server_messages_land_in_the_outbox(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(MAIL_URL=None)
    client = app.test_client()

    with caplog.at_level(logging.INFO, logger="mailer"):
        register(client)

    (path,) = (tmp_path / "instance" / "outbox").glob("*.eml")
    assert "/account/verify-email?token=" in path.read_text()
    assert (path.stat().st_mode & 0o777) == 0o600
    assert str(path) in caplog.text
    assert token_in_file(path) not in caplog.text


def token_in_file(path) -> str:
    import email
    import email.policy

    return token_in(email.message_from_bytes(path.read_bytes(), policy=email.policy.default))


def test_reset_requests_are_throttled_per_account(mailbox):
    app = make_app(MAIL_URL=mailbox.url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [forgot(client, email="alice@example.com", **{}).status_code for _ in range(4)]

    assert statuses == [202, 202, 202, 429]


def test_mail_test_command_says_what_happened(app, mailbox):
    runner = app.test_cli_runner()

    sent = runner.invoke(args=["mail", "test", "ops@example.com"])
    mailbox.refuse = True
    refused = runner.invoke(args=["mail", "test", "ops@example.com"])

    assert sent.exit_code == 0 and "sent to ops@example.com via smtp://" in sent.output
    assert mailbox.to("ops@example.com")[0]["Subject"] == "Test message"
    assert refused.exit_code != 0 and "not sent" in refused.output


@pytest.mark.parametrize("tls", ["starttls", "smtps"])
def test_messages_go_through_tls_with_a_login(tls, tmp_path):
    with Mailbox(tls, tmp_path) as box:
        app = make_app(MAIL_URL=box.url, MAIL_TLS_CA_FILE=box.cafile)
        runner = app.test_cli_runner()

        result = runner.invoke(args=["mail", "test", "ops@example.com"])

    assert result.exit_code == 0, result.output
    assert box.to("ops@example.com")[0]["Subject"] == "Test message"


def test_a_certificate_that_is_not_trusted_is_refused(tmp_path):
    with Mailbox("smtps", tmp_path) as box:
        app = make_app(MAIL_URL=box.url)  # the system's CAs: the self-signed one is unknown
        result = app.test_cli_runner().invoke(args=["mail", "test", "ops@example.com"])

    assert result.exit_code != 0 and "CERTIFICATE_VERIFY_FAILED" in result.output
    assert box.messages == []


def test_redeeming_links_is_throttled_per_address(mailbox):
    app = make_app(MAIL_URL=mailbox.url, RATELIMIT_ENABLED=True)
    client = app.test_client()

    statuses = [
        client.post("/email/verify", json={"token": "guess"}).status_code for _ in range(11)
    ]
    reset = client.post("/password/reset", json={"token": "guess", "new_password": NEW_PASSWORD})

    assert statuses == [400] * 10 + [429]
    assert reset.status_code == 429  # one budget for every link-redeeming endpoint


def test_resending_is_throttled_per_account(mailbox):
    app = make_app(MAIL_URL=mailbox.url, RATELIMIT_ENABLED=True)
    client = app.test_client()
    register(client)
    headers = bearer(login(client, "alice")["access_token"])

    statuses = [client.post("/email/verify/resend", headers=headers).status_code for _ in range(4)]

    assert statuses == [202, 202, 202, 429]


def test_expired_links_are_purged(mailbox):
    from auth.revocation.database import purge
    from extensions import db
    from models import AccountToken

    app = make_app(MAIL_URL=mailbox.url)
    app.config["EMAIL_VERIFY_EXPIRES"] = timedelta(seconds=-1)  # past the start checks
    register(app.test_client())

    with app.app_context():
        assert purge() >= 1
        assert db.session.query(AccountToken).count() == 0


@pytest.mark.parametrize(
    "twin",
    ["alice@xn--bcher-kva.example", "alice@BÜCHER.example", "alice@ｂüｃｈｅｒ.example"],
)
def test_one_domain_in_any_spelling_is_one_address(client, mailbox, twin):
    register(client, "alice", "alice@bücher.example")

    body = {"username": "bob", "password": PASSWORD, "email": twin}

    assert_error(client.post("/register", json=body), 409, "email_taken")


@pytest.mark.parametrize(
    "address",
    [
        "z@exa\u200bmple.com",
        "z\u202e@example.com",
        "z@" + "x" * 64 + ".example",
        "a" * 300 + "@x.io",
    ],
)
def test_invisible_characters_and_impossible_domains_are_refused(client, address):
    body = {"username": "bob", "password": PASSWORD, "email": address}

    assert_error(client.post("/register", json=body), 422)
    assert_error(client.post("/password/forgot", json={"email": address}), 422)


def test_a_mailbox_is_sent_few_reset_links_whoever_asks(mailbox):
    app = make_app(MAIL_URL=mailbox.url)  # throttling off: only the account's allowance
    client = app.test_client()
    register(client)

    for body in ({"username": "alice"}, {"username": "ALICE"}, {"email": "alice@example.com"}) * 2:
        assert forgot(client, **body).status_code == 202

    resets = [m for m in mailbox.to("alice@example.com") if m["Subject"] == "Reset your password"]
    assert len(resets) == 3


def test_forgot_does_the_same_work_in_the_request_for_known_and_unknown_accounts(client, mailbox):
    # What takes time in a request is its statements; the known account's token is written
    # on the mail thread, after the answer.
    import threading

    from sqlalchemy import event

    register(client)
    with client.application.app_context():
        engine = db.engine
    here = threading.get_ident()
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if threading.get_ident() == here:
            statements.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", record)
    try:
        client.post("/password/forgot", json={"email": "alice@example.com"})
        known = list(statements)
        statements.clear()
        client.post("/password/forgot", json={"email": "nobody@example.com"})
        unknown = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        delivered(client)

    # The lookup, and the password_reset_requested event (with or without a user).
    assert known == unknown == ["SELECT", "INSERT"]
    assert mailbox.to("alice@example.com")[-1]["Subject"] == "Reset your password"
