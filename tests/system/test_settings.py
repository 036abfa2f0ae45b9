"""Settings checked at start: through the real entry points (the server and the `flask`
command), a bad one is one line naming it and a non-zero exit, never a traceback."""

import subprocess
import sys

import pytest

from tests.servers import ROOT, Server, free_port, services_env

pytestmark = pytest.mark.processes

BAD = [
    ("FLASK_RATELIMIT_ENABLED", "perhaps"),
    ("FLASK_JWT_ACCESS_TOKEN_EXPIRES", "15x"),
    ("JWT_SECRET_KEY", "short"),
    ("JWT_ALGORITHM", "HS257"),
    ("PROXY_COUNT", "one"),
    ("LOG_FORMAT", "xml"),
    ("DATABASE_URL", "mysql://nobody@127.0.0.1/x"),
    ("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"),
]


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def server_command(env: dict[str, str]) -> list[str]:
    env["PORT"] = str(free_port())
    return [sys.executable, "server.py"]


def assert_one_line_naming(result: subprocess.CompletedProcess, name: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    naming = [line for line in output.splitlines() if name in line]
    assert len(naming) == 1, output
    assert naming[0].startswith("error: ") and "accept" in naming[0] or "connect" in naming[0]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_a_bad_setting_stops_the_server_with_one_line(tmp_path, name, value):
    env = {**services_env(tmp_path), name: value}

    result = run(server_command(env), env)

    assert_one_line_naming(result, name)
    if name == "JWT_SECRET_KEY":
        assert value not in result.stderr.replace(name, "")  # a secret is never echoed


@pytest.mark.parametrize(("name", "value"), BAD[1:3] + BAD[-1:])
def test_a_bad_setting_stops_the_flask_command_with_one_line(tmp_path, name, value):
    env = {**services_env(tmp_path), name: value}

    result = run([sys.executable, "-m", "flask", "--app", "app", "db", "current"], env)

    assert_one_line_naming(result, name)


def test_an_unmigrated_database_stops_the_server_and_says_what_to_run(tmp_path):
    env = {**services_env(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"}

    result = run(server_command(env), env)

    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "db upgrade" in result.stderr


def test_an_unreachable_redis_is_a_warning_and_readiness_fails_until_it_answers(tmp_path):
    env = {**services_env(tmp_path), "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    server = Server(env)
    server.start_until = "/health/live"

    with server:
        assert server.request("GET", "/health/ready")[0] == 503

    warnings = [line for line in server.json_lines() if line["level"] == "WARNING"]
    assert len(warnings) == 1 and "REDIS_URL" in warnings[0]["message"]


def test_the_forms_the_readme_promises_are_accepted(tmp_path):
    env = {
        **services_env(tmp_path),
        "FLASK_RATELIMIT_ENABLED": "Off",
        "FLASK_JWT_ACCESS_TOKEN_EXPIRES": "15m",
        "FLASK_JWT_REFRESH_TOKEN_EXPIRES": "12h",
        "LOG_LEVEL": "warning",
    }

    with Server(env) as server:
        assert server.request("GET", "/health/live")[0] == 200

    assert server.access_lines() == []  # INFO lines are below LOG_LEVEL=warning
