"""What users run and read: the curl walk-through against a live server, and a README
whose configuration table names every environment variable the code reads."""

import os
import re
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


def variables_read_by_the_code() -> set[str]:
    pattern = re.compile(r"""os\.(?:getenv|environ\.get|environ\[)\(?\s*["']([A-Z_]+)["']""")
    names = set()
    for path in ROOT.rglob("*.py"):
        if {".venv", "migrations"} & set(path.relative_to(ROOT).parts):
            continue
        names |= set(pattern.findall(path.read_text()))
    return names


def test_every_environment_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))
    documented = set(re.findall(r"`([A-Z_]+)`", table))

    read = variables_read_by_the_code()

    assert {"DATABASE_URL", "JWT_SECRET_KEY", "REDIS_URL", "PORT"} <= read
    assert read - documented == set()


def test_every_flask_setting_the_readme_names_exists():
    from config import Config

    readme = (ROOT / "README.md").read_text()
    for name in re.findall(r"`FLASK_([A-Z_]+)`", readme):
        if name != "SKIP_DOTENV":
            assert hasattr(Config, name), name


def test_the_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]

    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]
