"""/metrics under a real multi-worker server: every worker's counts, from any worker."""

import http.client
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import PASSWORD
from tests.servers import Server, services_env, signup_and_login

pytestmark = pytest.mark.processes

TOKEN = "metrics-token-that-is-long-enough-0123456789"


def scrape(server: Server, token: str | None = TOKEN) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def logins_counted(text: str) -> float:
    match = re.search(r'^auth_events_total\{event="login"\} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_every_workers_logins_are_counted_and_strangers_are_refused(tmp_path):
    env = {**services_env(tmp_path), "METRICS_TOKEN": TOKEN}
    body = {"username": "alice", "password": PASSWORD}
    with Server(env, workers=2) as server:
        signup_and_login(server)
        logins = 1
        with ThreadPoolExecutor(8) as pool:
            for _ in range(10):  # until both workers have answered a login
                statuses = list(pool.map(lambda _: server.request("POST", "/login", body=body)[0],
                                         range(16)))  # fmt: skip
                assert statuses == [200] * 16
                logins += 16
                workers = {
                    line["process"] for line in server.access_lines() if line["path"] == "/login"
                }
                if len(workers) >= 2:
                    break
        readings = [scrape(server) for _ in range(6)]
        refused = [scrape(server, token) for token in (None, "x" * 44)]

    assert len(workers) >= 2
    assert {status for status, _ in readings} == {200}
    assert {logins_counted(text) for _, text in readings} == {float(logins)}
    assert all('http_request_duration_seconds_bucket{endpoint="/login"' in text
               or 'endpoint="/login"' in text for _, text in readings)  # fmt: skip
    assert [status for status, _ in refused] == [401, 401]
