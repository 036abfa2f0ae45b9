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


def _upgrade_with_stores(tmp_path, admins: list[str]) -> list:
    import sqlalchemy as sa

    env = server_env(f"sqlite:///{tmp_path}/old.db", tmp_path)
    assert flask(env, "db", "upgrade", "0003").returncode == 0
    engine = sa.create_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as conn:
        for n, name in enumerate(["alice", "root", "second-admin"], start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, username, username_key, password_hash, is_admin, "
                    "created_at) VALUES (:id, :name, :name, 'x', :admin, '2026-01-01')"
                ),
                {"id": n, "name": name, "admin": name in admins},
            )
        conn.execute(sa.text("INSERT INTO stores (id, name) VALUES (1, 'a'), (2, 'b')"))
        conn.execute(sa.text("INSERT INTO items (name, price, store_id) VALUES ('c', 1, 1)"))
        conn.execute(
            sa.text(
                "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, "
                "refresh_jti) VALUES ('s', 1, '2026-01-01', '2026-01-01', '2099-01-01', 'r')"
            )
        )
    assert migrate(env).returncode == 0
    with engine.connect() as conn:
        owners = [row[0] for row in conn.execute(sa.text("SELECT owner_id FROM stores"))]
        # Rebuilding stores and users (SQLite batch mode) must not cascade into them.
        kept = [conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in ("items", "sessions")]
    engine.dispose()
    assert kept == [1, 1]
    return owners


def test_existing_stores_go_to_the_first_admin(tmp_path):
    assert _upgrade_with_stores(tmp_path, ["root", "second-admin"]) == [2, 2]


def test_existing_stores_without_an_admin_are_left_to_admins(tmp_path):
    assert _upgrade_with_stores(tmp_path, []) == [None, None]


def test_existing_users_get_skeletons_and_older_look_alikes_keep_their_accounts(tmp_path):
    import sqlalchemy as sa

    env = server_env(f"sqlite:///{tmp_path}/old.db", tmp_path)
    assert flask(env, "db", "upgrade", "0004").returncode == 0
    engine = sa.create_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as conn:
        for n, key in enumerate(["alice", "\u0430lice", "bob"], start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, username, username_key, password_hash, created_at) "
                    "VALUES (:id, :key, :key, 'x', '2026-01-01')"
                ),
                {"id": n, "key": key},
            )

    upgrade = migrate(env)

    assert upgrade.returncode == 0, upgrade.stderr
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, username_skeleton FROM users ORDER BY id")).all()
    engine.dispose()
    assert rows[0][1] is not None and rows[2][1] is not None
    assert rows[1] == (2, None)  # the later look-alike keeps its account, not the skeleton
