"""Files and framing: what a real server writes to disk, and what every answer forbids."""

import http.client
import sqlite3
import stat

import pytest

from tests.servers import Server, migrate, server_env, signup_and_login

pytestmark = pytest.mark.processes


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_files_are_0600_in_a_0700_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    # No DATABASE_URL: the default file in the instance folder. Throttling on, as by
    # default: its counters keep a connection open, and with it the -wal and -shm files.
    env = server_env("", instance, FLASK_RATELIMIT_ENABLED="true")
    assert migrate(env).returncode == 0

    with Server(env) as server:
        signup_and_login(server)  # writes: the -wal and -shm files exist while it runs
        files = {path.name: mode(path) for path in instance.iterdir() if "app.db" in path.name}

    assert mode(instance) == 0o700
    assert files.keys() >= {"app.db", "app.db-wal", "app.db-shm"}
    assert set(files.values()) == {0o600}, files
    assert mode(instance / "jwt-secret.key") == 0o600


def test_the_database_is_in_wal_mode_from_its_first_migration(tmp_path):
    # Every connection, the start check's first one included, gets the busy timeout and
    # WAL: a connection made before them once left the file in rollback-journal mode, and
    # workers switching it to WAL under load answered 503 "database is locked".
    env = server_env(f"sqlite:///{tmp_path}/app.db", tmp_path / "instance")
    assert migrate(env).returncode == 0

    with sqlite3.connect(tmp_path / "app.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_existing_database_and_folder_are_made_private_at_start(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    database = tmp_path / "shared.db"
    database.touch(mode=0o644)
    database.chmod(0o644)

    result = migrate(server_env(f"sqlite:///{database}", instance))

    assert result.returncode == 0, result.stderr
    assert (mode(instance), mode(database)) == (0o700, 0o600)


def test_every_answer_forbids_framing(tmp_path):
    env = server_env("", tmp_path / "instance")
    assert migrate(env).returncode == 0

    with Server(env) as server:
        token = signup_and_login(server)["access_token"]
        for path, headers in [
            ("/swagger-ui", {}),
            ("/openapi.json", {}),
            ("/health", {}),
            ("/me", {"Authorization": f"Bearer {token}"}),
            ("/me", {}),
            ("/no/such/page", {}),
            ("/swagger-ui-assets/swagger-ui.css", {}),
        ]:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.getheader("X-Frame-Options") == "DENY", path
            assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy"), path
