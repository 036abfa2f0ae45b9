"""Real server processes (server.py, as `make run` starts it) for the properties that only
show across processes."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import redis

from tests.database_reset import reset_public_schema

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "JWT_", "DATABASE_URL", "REDIS_URL", "WEB_CONC"))
    }
    env.update(
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(instance),
        FLASK_SKIP_DOTENV="1",
        FLASK_PASSWORD_HASH_ROUNDS="1000",
        FLASK_RATELIMIT_ENABLED="false",
        PYTHONWARNINGS="error,ignore::ResourceWarning",
    )
    env.update(extra)
    return env


def fresh_database(tmp_path: Path) -> str:
    """A new empty database: PostgreSQL's public schema reset when the suite runs on the
    services (TEST_DATABASE_URL), else an SQLite file of the test's own."""
    url = os.getenv("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path}/app.db"
    reset_public_schema(url)
    return url


def services_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for servers on this run's backends, migrated and ready."""
    instance = tmp_path / "instance"
    redis_url = os.getenv("TEST_REDIS_URL")
    if redis_url:
        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        client.close()
        extra = {"REDIS_URL": redis_url, **extra}
    env = server_env(fresh_database(tmp_path), instance, **extra)
    result = migrate(env)
    assert result.returncode == 0, result.stderr
    return env


def migrate(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Server:
    """One server instance, started as `make run` starts it: `python server.py`."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.workers = workers
        self.env = {**env, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers)}
        self.log = Path(env["INSTANCE_PATH"]) / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.start_until = "/health"  # the path whose 200 means started

    def start(self, timeout: float = 30) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "server.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: a stop that has to kill takes the workers too.
                start_new_session=True,
            )
        return self.wait_until_serving(self.workers, timeout)

    def wait_until_serving(self, started: int, timeout: float = 30) -> "Server":
        """Wait until `started` workers in all have said "Started worker-" (respawned ones
        count again) and the server answers. A respawned worker's pid exists before it
        listens: granian's workers each bind the port, so until then connections are
        refused rather than queued."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited {self.process.returncode}:\n{self.output()}")
            try:
                # Every worker up: one still starting when told to stop ignores it.
                up = self.output().count("Started worker-")
                if up >= started and self.request("GET", self.start_until)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer in {timeout}s:\n{self.output()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                # Longer than server.py's 20 s for workers that will not stop gracefully.
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def json_lines(self) -> list[dict[str, Any]]:
        """The app's log lines (JSON), without the server's own plain-text lines."""
        lines = []
        for line in self.output().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def access_lines(self) -> list[dict[str, Any]]:
        return [line for line in self.json_lines() if line.get("logger") == "access"]

    def events(self) -> list[dict[str, Any]]:
        return [line for line in self.json_lines() if "event" in line]

    def request(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, Any]:
        # A new connection each time, so that the workers share the requests out.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Connection": "close"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        return response.status, (json.loads(raw) if raw else None)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def signup_and_login(server: Server, username: str = "alice") -> dict:
    from tests.factories import PASSWORD

    body = {"username": username, "password": PASSWORD}
    server.request("POST", "/register", body=body)
    status, tokens = server.request("POST", "/login", body=body)
    assert status == 200, tokens
    return tokens
