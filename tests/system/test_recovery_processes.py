"""Account recovery against a real server and a real SMTP server."""

import time

import pytest

from tests.factories import PASSWORD
from tests.mailbox import Mailbox, token_in
from tests.servers import Server, services_env

pytestmark = pytest.mark.processes

NEW_PASSWORD = "a brand new passphrase"


def wait_for_mail(mailbox: Mailbox, address: str, count: int, timeout: float = 15) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mailbox.to(address)) >= count:
            return mailbox.to(address)
        time.sleep(0.05)
    raise AssertionError(f"{count} message(s) to {address} did not arrive: {mailbox.messages}")


def test_a_reset_ends_every_session_on_every_worker_and_logs_no_secret(tmp_path):
    with Mailbox() as mailbox:
        env = services_env(tmp_path, MAIL_URL=mailbox.url)
        with Server(env, workers=4) as server:
            body = {"username": "alice", "password": PASSWORD, "email": "alice@example.com"}
            assert server.request("POST", "/register", body=body)[0] == 201
            credentials = {"username": "alice", "password": PASSWORD}
            sessions = [server.request("POST", "/login", body=credentials)[1] for _ in range(3)]
            status, answer = server.request("POST", "/password/forgot", body={"username": "x"})
            assert (status, answer["message"]) == (202, answer["message"])
            assert (
                server.request("POST", "/password/forgot", body={"username": "alice"})[1] == answer
            )
            reset = token_in(wait_for_mail(mailbox, "alice@example.com", 2)[1])

            status, _ = server.request(
                "POST", "/password/reset", body={"token": reset, "new_password": NEW_PASSWORD}
            )

            assert status == 200
            for tokens in sessions:
                statuses = {
                    server.request("GET", "/me", tokens["access_token"])[0] for _ in range(12)
                }
                assert statuses == {401}
                assert server.request("POST", "/refresh", tokens["refresh_token"])[0] == 401
            new = {"username": "alice", "password": NEW_PASSWORD}
            assert server.request("POST", "/login", body=new)[0] == 200
            wait_for_mail(mailbox, "alice@example.com", 3)
        output = server.output()

    verify = token_in(mailbox.to("alice@example.com")[0])
    for secret in (reset, verify, PASSWORD, NEW_PASSWORD, sessions[0]["access_token"]):
        assert secret not in output
    assert "/account/" not in output
