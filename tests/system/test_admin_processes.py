"""A lock across real server processes: through one instance (or the command line), refused
by every worker of another, and still there after a restart."""

import subprocess
import sys

import pytest

from tests.factories import PASSWORD
from tests.servers import ROOT, Server, services_env, signup_and_login

pytestmark = pytest.mark.processes


def flask(env, *args, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def env(tmp_path):
    env = services_env(tmp_path, JWT_SECRET_KEY="admin-processes-secret-long-enough-for-hs256")
    created = flask(env, "users", "create", "root", "--admin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    return env


def login(server: Server, username: str) -> tuple[int, dict]:
    return server.request("POST", "/login", body={"username": username, "password": PASSWORD})


def test_a_lock_through_one_instance_is_refused_by_every_worker_of_another(env):
    with Server(env) as first, Server(env) as second:
        alice = signup_and_login(second)
        assert second.request("GET", "/me", alice["access_token"])[0] == 200
        root = login(first, "root")[1]
        user_id = second.request("GET", "/me", alice["access_token"])[1]["id"]

        locked = first.request(
            "POST", f"/admin/users/{user_id}/lock", root["access_token"], {"reason": "stolen"}
        )

        assert locked[0] == 200 and locked[1]["locked"] is True
        # Several requests, so that both of the second instance's workers answer some.
        statuses = {second.request("GET", "/me", alice["access_token"])[0] for _ in range(12)}
        assert statuses == {401}
        assert second.request("POST", "/refresh", alice["refresh_token"])[0] == 401
        status, body = login(second, "alice")
        assert (status, body["error"]) == (403, "account_locked")
        events = second.request("GET", f"/admin/events?user_id={user_id}", root["access_token"])
        assert [row["event"] for row in events[1]][:2] == ["login_failed", "account_locked"]

    with Server(env) as restarted:  # the lock is a column: it survives a restart
        assert login(restarted, "alice")[0] == 403
        assert restarted.request("GET", "/me", alice["access_token"])[0] == 401


def test_the_command_line_locks_a_user_of_running_servers(env):
    with Server(env) as server:
        alice = signup_and_login(server)

        locked = flask(env, "users", "lock", "alice", "--reason", "support ticket 42")

        assert locked.returncode == 0, locked.stderr
        assert "1 session(s) ended" in locked.stdout
        assert server.request("GET", "/me", alice["access_token"])[0] == 401
        assert login(server, "alice")[0] == 403
        tail = flask(env, "events", "tail", "--user", "alice")
        names = [line.split()[1] for line in tail.stdout.splitlines()]
        assert names[-2:] == ["account_locked", "login_failed"]
        assert "reason=support ticket 42" in tail.stdout

        assert flask(env, "users", "unlock", "alice").returncode == 0
        assert login(server, "alice")[0] == 200
