"""The login throttle's counters are shared by every worker and survive a worker's death
and a restart, with real server processes (no Redis: the embedded default)."""

import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.servers import Server, services_env

pytestmark = pytest.mark.processes

WRONG = {"username": "alice", "password": "not the password"}
RIGHT = {"username": "alice", "password": PASSWORD}


@pytest.fixture
def env(tmp_path):
    return services_env(tmp_path, FLASK_RATELIMIT_ENABLED="true")


def _workers(server: Server) -> list[int]:
    assert server.process is not None
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _guess(server: Server, times: int) -> list[int]:
    # Eight at a time, each on a new connection: the workers share the guesses out.
    with ThreadPoolExecutor(8) as pool:
        return list(
            pool.map(lambda _: server.request("POST", "/login", body=WRONG)[0], range(times))
        )


def test_four_workers_grant_the_documented_limit_not_four_times_it(env):
    with Server(env, workers=4) as server:
        assert server.request("POST", "/register", body=RIGHT)[0] == 201

        statuses = _guess(server, 16)

        assert sorted(statuses) == [401] * 10 + [429] * 6
        assert server.request("POST", "/login", body=RIGHT)[0] == 429


def test_the_counters_survive_killed_workers_and_a_restart(env):
    with Server(env, workers=2) as server:
        assert server.request("POST", "/register", body=RIGHT)[0] == 201
        assert _guess(server, 10) == [401] * 10
        old = _workers(server)

        for pid in old:  # what a timeout or an OOM kill does to a worker
            os.kill(pid, signal.SIGKILL)
        server.wait_until_serving(started=2 * len(old))
        assert not set(_workers(server)) & set(old)

        assert server.request("POST", "/login", body=WRONG)[0] == 429
    with Server(env, workers=2) as restarted:
        assert restarted.request("POST", "/login", body=RIGHT)[0] == 429
