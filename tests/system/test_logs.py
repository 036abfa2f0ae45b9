"""The audit and access logs as a real server writes them on standard error."""

import base64
import json

import pytest

from tests.factories import PASSWORD
from tests.servers import Server, services_env, signup_and_login

pytestmark = pytest.mark.processes


def sid_of(token: str) -> str:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"]


def events_named(server: Server, name: str) -> list[dict]:
    return [line for line in server.events() if line["event"] == name]


def test_each_session_event_is_one_json_line_with_user_session_and_client(tmp_path):
    with Server(services_env(tmp_path)) as server:
        first = signup_and_login(server)
        wrong = {"username": "alice", "password": "not the password at all"}
        assert server.request("POST", "/login", body=wrong)[0] == 401
        status, second = server.request("POST", "/refresh", token=first["refresh_token"])
        assert status == 200
        assert server.request("POST", "/refresh", token=first["refresh_token"])[0] == 401
        again = signup_and_login(server)
        assert server.request("POST", "/logout", token=again["access_token"])[0] == 200
        last = signup_and_login(server)
        assert server.request("POST", "/logout/all", token=last["access_token"])[0] == 200

    sid = sid_of(first["access_token"])
    expected = {
        "login": [sid, sid_of(again["access_token"]), sid_of(last["access_token"])],
        "login_failed": [None],
        "refresh": [sid],
        "reuse_detected": [sid],
        "logout": [sid_of(again["access_token"])],
        "logout_all": [sid_of(last["access_token"])],
    }
    for name, sids in expected.items():
        lines = events_named(server, name)
        assert [line["sid"] for line in lines] == sids, (name, lines)
        assert all(line["user_id"] == 1 and line["client"] == "127.0.0.1" for line in lines)
        assert all(line["level"] == "INFO" and line["time"] for line in lines)
    output = server.output()
    tokens = [first[k] for k in first if k.endswith("token")] + [second["refresh_token"]]
    for secret in (PASSWORD, wrong["password"], "pbkdf2", *tokens):
        assert secret not in output


def test_a_forged_line_in_the_path_stays_inside_one_access_line(tmp_path):
    with Server(services_env(tmp_path)) as server:
        server.request("GET", '/me%0A{"event":"login","user_id":1}')
        server.request("GET", "/me%00%0D%0Ax?token=secret-in-the-query")

    access = server.access_lines()
    forged = [line for line in access if line["path"].startswith("/me\n")]
    assert len(forged) == 1 and forged[0]["status"] == 404
    assert forged[0]["path"] == '/me\n{"event":"login","user_id":1}'
    assert server.events() == []
    assert "\x00" not in server.output()
    assert "secret-in-the-query" not in server.output()  # paths are logged without the query
    assert all(line["method"] == "GET" and line["duration_ms"] >= 0 for line in access)
