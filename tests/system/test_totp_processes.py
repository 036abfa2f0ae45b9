"""Second factors under concurrency, against a real server with several workers: one code
is accepted once, and one mfa_token takes at most five codes, however many arrive at once."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pyotp
import pytest

from tests.factories import PASSWORD, previous_step_code
from tests.servers import Server, services_env

pytestmark = pytest.mark.processes

LOGIN = {"username": "alice", "password": PASSWORD}
AT_ONCE = 8


@pytest.fixture
def server(tmp_path):
    # Cheap password hashes, so that the requests below overlap rather than queue for CPU.
    env = services_env(tmp_path, FLASK_PASSWORD_HASH_ROUNDS="1000")
    with Server(env, workers=4) as server:
        assert server.request("POST", "/register", body=LOGIN)[0] == 201
        yield server


def turn_on(server: Server) -> tuple[str, str]:
    """TOTP on, confirmed with the previous step's code: the secret and an access token."""
    token = server.request("POST", "/login", body=LOGIN)[1]["access_token"]
    secret = server.request("POST", "/me/mfa/totp", token)[1]["secret"]
    previous = previous_step_code(secret, margin=5)
    assert server.request("POST", "/me/mfa/totp/confirm", token, {"code": previous})[0] == 200
    return secret, token


def at_once(send) -> list[int]:
    barrier = Barrier(AT_ONCE)

    def one(_: int) -> int:
        barrier.wait()
        return send()[0]

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(one, range(AT_ONCE)))


def test_one_code_sent_many_times_at_once_is_accepted_once(server):
    secret, token = turn_on(server)
    body = {"password": PASSWORD, "code": pyotp.TOTP(secret).now()}

    statuses = at_once(lambda: server.request("POST", "/reauthenticate", token, body))

    assert sorted(statuses) == [200] + [400] * (AT_ONCE - 1)


def test_an_mfa_token_takes_five_codes_however_many_arrive_at_once(server):
    turn_on(server)
    mfa_token = server.request("POST", "/login", body=LOGIN)[1]["mfa_token"]
    body = {"mfa_token": mfa_token, "code": "000000"}

    statuses = at_once(lambda: server.request("POST", "/login/mfa", body=body))

    assert sorted(statuses) == [400] * 5 + [401] * (AT_ONCE - 5)
