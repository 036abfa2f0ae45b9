"""The README's curl walk-through, run against a live server."""

import os
import shutil
import subprocess

import pytest

from tests.servers import ROOT, Server, services_env

WALKTHROUGH = ROOT / "examples" / "curl" / "walkthrough.sh"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(services_env(tmp_path_factory.mktemp("docs"))) as server:
        yield server


def walk(server: Server, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(WALKTHROUGH), f"http://127.0.0.1:{server.port}"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.mark.processes
def test_the_curl_walkthrough_ends_with_the_revoked_token_refused(server):
    result = walk(server)

    assert result.returncode == 0, result.stdout + result.stderr
    for line in (
        "POST /register -> 201",
        "POST /login -> 200",
        "GET /me -> 200",
        "POST /refresh -> 200",
        "GET /sessions -> 200",
        "POST /logout -> 200",
        "GET /me -> 401",
        "POST /refresh -> 401",
    ):
        assert line in result.stdout
    assert '"error":"token_revoked"' in result.stdout
    assert "eyJ" not in result.stdout.split("GET /me -> 200")[0].split("POST /login -> 200")[0]


@pytest.mark.processes
def test_the_walkthrough_needs_only_curl(server, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "curl", "sed"):
        (bin_dir / tool).symlink_to(shutil.which(tool))

    result = walk(server, PATH=str(bin_dir))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "GET /me -> 401" in result.stdout
