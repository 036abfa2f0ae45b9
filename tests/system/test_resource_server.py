"""The article's other half: a FastAPI service verifies this API's tokens on its own,
through the JWKS, and asks /introspect about revocation. Real processes both."""

import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.factories import PASSWORD
from tests.servers import ROOT, Server, free_port, services_env

pytestmark = pytest.mark.processes
CLIENT = {
    "INTROSPECTION_CLIENT_ID": "resource-server",
    "INTROSPECTION_CLIENT_SECRET": "s3cret-for-the-resource-server",
}


@pytest.fixture
def api(tmp_path):
    with Server(services_env(tmp_path, JWT_ALGORITHM="RS256", **CLIENT)) as server:
        yield server


@contextlib.contextmanager
def uvicorn(env: dict[str, str], log_path) -> Iterator[str]:
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            "examples",
            "fastapi_resource_server:app",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def resource_server(api, tmp_path):
    env = {**api.env, "AUTH_API_URL": f"http://127.0.0.1:{api.port}", **CLIENT}
    with uvicorn(env, tmp_path / "uvicorn.log") as url:
        yield url


def get(url: str, token: str) -> int:
    return answer(url, token)[0]


def answer(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_the_fastapi_service_accepts_this_apis_tokens_and_refuses_forgeries(api, resource_server):
    api.request("POST", "/register", body={"username": "alice", "password": PASSWORD})
    tokens = api.request("POST", "/login", body={"username": "alice", "password": PASSWORD})[1]
    access = tokens["access_token"]
    header, payload, signature = access.split(".")
    tampered = f"{header}.{payload[:-4]}AAAA.{signature}"

    assert get(resource_server + "/protected", access) == 200
    assert get(resource_server + "/protected", tampered) == 401
    assert get(resource_server + "/protected", tokens["refresh_token"]) == 401
    assert api.request("POST", "/logout", access)[0] == 200
    assert get(resource_server + "/protected", access) == 401  # revoked: introspection says so


def test_a_wrong_introspection_credential_or_an_unreachable_api_is_503(api, tmp_path):
    api.request("POST", "/register", body={"username": "alice", "password": PASSWORD})
    access = api.request("POST", "/login", body={"username": "alice", "password": PASSWORD})[1][
        "access_token"
    ]
    env = {**api.env, "AUTH_API_URL": f"http://127.0.0.1:{api.port}", **CLIENT}
    wrong = {**env, "INTROSPECTION_CLIENT_SECRET": "not-the-secret"}
    nowhere = {**env, "AUTH_API_URL": f"http://127.0.0.1:{free_port()}"}

    with uvicorn(wrong, tmp_path / "wrong.log") as url:
        refused = answer(url + "/protected", access)
    with uvicorn(nowhere, tmp_path / "nowhere.log") as url:
        unreachable = answer(url + "/protected", access)

    assert refused[0] == 503 and "INTROSPECTION_CLIENT_SECRET" in refused[1]["detail"]
    assert unreachable[0] == 503 and "cannot be reached" in unreachable[1]["detail"]
