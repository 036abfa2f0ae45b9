"""Revocation across workers, restarts and instances, with real server processes (server.py)."""

import stat
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.servers import Server, services_env, signup_and_login

pytestmark = pytest.mark.processes


@pytest.fixture
def env(tmp_path):
    """A migrated database of this run's kind, its own instance folder, no JWT_SECRET_KEY."""
    return services_env(tmp_path)


def pids_that_answered(server: Server, status: int) -> set[int]:
    return {
        line["process"]
        for line in server.access_lines()
        if line["path"] == "/me" and line["status"] == status
    }


def concurrently(server: Server, token: str, count: int = 48) -> list[tuple[int, dict]]:
    # Eight at a time: a sync worker serves one request at a time, so the others must
    # take some (one after another, a single worker can win every accept).
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: server.request("GET", "/me", token), range(count)))


def until_several_workers_answer(server: Server, token: str, status: int) -> list[int]:
    """Batches of concurrent requests until two workers or more have answered `status`;
    on a loaded machine one worker can still win a whole batch."""
    statuses: list[int] = []
    for _ in range(20):
        statuses += [code for code, _ in concurrently(server, token)]
        if len(pids_that_answered(server, status)) >= 2:
            break
    return statuses


def test_every_worker_refuses_a_revoked_token(env):
    with Server(env, workers=4) as server:
        tokens = signup_and_login(server)
        assert set(until_several_workers_answer(server, tokens["access_token"], 200)) == {200}
        assert len(pids_that_answered(server, 200)) >= 2  # several workers saw it valid

        assert server.request("POST", "/logout", tokens["access_token"])[0] == 200

        statuses = until_several_workers_answer(server, tokens["access_token"], 401)
        assert set(statuses) == {401}
        assert len(pids_that_answered(server, 401)) >= 2  # several workers refused it
        status, body = server.request("GET", "/me", tokens["access_token"])
        assert (status, body["error"]) == (401, "token_revoked")
        assert server.request("POST", "/refresh", tokens["refresh_token"])[0] == 401


def test_revocation_and_tokens_survive_a_restart(env):
    with Server(env) as server:
        revoked, alive = signup_and_login(server), signup_and_login(server)
        server.request("POST", "/logout", revoked["access_token"])

    with Server(env) as server:  # same database, same instance folder
        status, body = server.request("GET", "/me", revoked["access_token"])
        assert (status, body["error"]) == (401, "token_revoked")
        assert server.request("POST", "/refresh", revoked["refresh_token"])[0] == 401
        # Without JWT_SECRET_KEY the generated key persisted: old tokens still verify.
        assert server.request("GET", "/me", alive["access_token"])[0] == 200


def test_the_generated_key_is_private_and_shared_by_the_workers(env, tmp_path):
    with Server(env, workers=4) as server:
        tokens = signup_and_login(server)
        statuses = {server.request("GET", "/me", tokens["access_token"])[0] for _ in range(20)}

    key = tmp_path / "instance" / "jwt-secret.key"
    assert statuses == {200}
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.read_text().strip())) == 32


def test_a_short_secret_stops_the_app_from_starting(env):
    server = Server({**env, "JWT_SECRET_KEY": "abcde"})

    with pytest.raises(RuntimeError) as excinfo:
        server.start(timeout=30)

    assert "at least 32" in str(excinfo.value)


def test_of_concurrent_refreshes_with_one_token_at_most_one_wins(env):
    with Server(env, workers=4) as server:
        tokens = signup_and_login(server)
        barrier = Barrier(8)

        def refresh(_: int) -> int:
            barrier.wait()
            return server.request("POST", "/refresh", tokens["refresh_token"])[0]

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(refresh, range(8)))

    assert statuses.count(200) <= 1
    assert all(status in (200, 401) for status in statuses), statuses


def test_a_session_revoked_through_one_instance_is_refused_by_another(env):
    with Server(env) as first, Server(env) as second:
        tokens = signup_and_login(first)
        other = signup_and_login(first)
        assert second.request("GET", "/me", tokens["access_token"])[0] == 200
        sessions = first.request("GET", "/sessions", other["access_token"])[1]
        target = next(s["id"] for s in sessions if not s["current"])

        assert first.request("DELETE", f"/sessions/{target}", other["access_token"])[0] == 204

        status, body = second.request("GET", "/me", tokens["access_token"])
        assert (status, body["error"]) == (401, "token_revoked")
        assert second.request("GET", "/me", other["access_token"])[0] == 200


def test_with_a_reuse_interval_concurrent_refreshes_share_one_new_refresh_id(tmp_path):
    env = services_env(tmp_path, FLASK_JWT_REFRESH_REUSE_INTERVAL="10")
    with Server(env, workers=4) as server:
        tokens = signup_and_login(server)
        barrier = Barrier(8)

        def refresh(_: int) -> tuple[int, dict]:
            barrier.wait()
            return server.request("POST", "/refresh", tokens["refresh_token"])

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(refresh, range(8)))

        issued = {jti_of(body["refresh_token"]) for status, body in answers if status == 200}
        assert [status for status, _ in answers].count(200) >= 1
        assert len(issued) == 1, answers  # one rotation, whoever won it
        newest = next(body for status, body in answers if status == 200)
        assert server.request("GET", "/me", newest["access_token"])[0] == 200
        assert server.request("POST", "/refresh", newest["refresh_token"])[0] == 200


def jti_of(token: str) -> str:
    import jwt as pyjwt

    return pyjwt.decode(token, options={"verify_signature": False})["jti"]
