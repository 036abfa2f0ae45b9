"""The migrations build the schema the models describe, with no drift."""

import subprocess
import sys

from tests.servers import ROOT, fresh_database, migrate, server_env


def flask(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_upgrade_from_nothing_matches_the_models(tmp_path):
    env = server_env(fresh_database(tmp_path), tmp_path)

    upgrade = migrate(env)
    check = flask(env, "db", "check")

    assert upgrade.returncode == 0, upgrade.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_downgrade_to_nothing_and_back(tmp_path):
    env = server_env(fresh_database(tmp_path), tmp_path)
    migrate(env)

    down = flask(env, "db", "downgrade", "base")
    up = migrate(env)

    assert down.returncode == 0, down.stderr
    assert up.returncode == 0, up.stderr


def test_purge_command_runs_against_a_migrated_database(tmp_path):
    env = server_env(fresh_database(tmp_path), tmp_path)
    migrate(env)

    result = flask(env, "revocations", "purge")

    assert result.returncode == 0, result.stderr
    assert "purged 0 expired row(s)" in result.stdout
