"""Administration: listing users, lock and unlock, signing a user out, admin rights."""

import json

import pytest
from sqlalchemy import select, update

from auth import admin
from extensions import db
from models import LoginSession, User
from models.types import utcnow
from tests.conftest import DATABASE_URL, build_app, make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user, previous_step_code


def me(client, tokens):
    return client.get("/me", headers=bearer(tokens["access_token"]))


def refresh(client, tokens):
    return client.post("/refresh", headers=bearer(tokens["refresh_token"]))


def lock(client, headers, user_id, reason="compromised"):
    return client.post(f"/admin/users/{user_id}/lock", json={"reason": reason}, headers=headers)


ADMIN_CALLS = [
    ("get", "/admin/users", None),
    ("get", "/admin/events", None),
    ("post", "/admin/users/{id}/lock", {"reason": "x"}),
    ("post", "/admin/users/{id}/unlock", None),
    ("post", "/admin/users/{id}/logout", None),
    ("patch", "/admin/users/{id}", {"is_admin": True}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_a_non_admin_gets_403_on_every_admin_path(
    client, user_id, admin_id, auth_headers, method, path, body
):
    response = getattr(client, method)(path.format(id=admin_id), json=body, headers=auth_headers)

    assert_error(response, 403)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_every_admin_path_needs_a_token(client, admin_id, method, path, body):
    response = getattr(client, method)(path.format(id=admin_id), json=body)

    assert_error(response, 401, "authorization_required")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS[2:])
def test_admin_changes_need_a_fresh_token(client, user_id, admin_id, method, path, body):
    refreshed = refresh(client, login(client, "root")).json

    response = getattr(client, method)(
        path.format(id=user_id), json=body, headers=bearer(refreshed["access_token"])
    )

    assert_error(response, 401, "fresh_token_required")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS[2:])
def test_an_unknown_user_is_404(client, admin_headers, method, path, body):
    response = getattr(client, method)(path.format(id=999), json=body, headers=admin_headers)

    assert_error(response, 404)


def test_the_user_list_says_what_an_admin_needs(app, client, user_id, admin_id, admin_headers):
    login(client, "alice")
    login(client, "alice")

    response = client.get("/admin/users", headers=admin_headers)

    assert response.status_code == 200
    by_name = {row["username"]: row for row in response.json}
    alice = by_name["alice"]
    assert set(alice) == {
        "id", "username", "email", "email_verified", "is_admin", "locked", "lock_reason",
        "created_at", "last_login_at", "active_sessions",
    }  # fmt: skip
    assert alice["id"] == user_id and alice["is_admin"] is False and alice["locked"] is False
    assert alice["active_sessions"] == 2
    assert alice["last_login_at"] is not None
    assert by_name["root"]["is_admin"] is True and by_name["root"]["active_sessions"] == 1
    assert "password_hash" not in response.get_data(as_text=True)


def test_the_user_list_is_paginated_and_searchable(app, client, admin_headers):
    for n in range(5):
        make_user(app, f"user{n}")
    with app.app_context():
        bob = db.session.get(User, make_user(app, "bob"))
        bob.email = bob.email_key = "Bob@Example.org"
        db.session.commit()

    first = client.get("/admin/users?page=1&page_size=2", headers=admin_headers)
    last = client.get("/admin/users?page=4&page_size=2", headers=admin_headers)
    by_name = client.get("/admin/users?q=USER", headers=admin_headers)
    by_email = client.get("/admin/users?q=bob@example", headers=admin_headers)
    wildcard = client.get("/admin/users?q=%25", headers=admin_headers)

    assert [row["username"] for row in first.json] == ["root", "user0"]
    assert json.loads(first.headers["X-Pagination"])["total"] == 7
    assert [row["username"] for row in last.json] == ["bob"]
    assert [row["username"] for row in by_name.json] == [f"user{n}" for n in range(5)]
    assert [row["username"] for row in by_email.json] == ["bob"]
    assert wildcard.json == []  # a literal "%", not a wildcard


def test_a_bad_query_is_422(client, admin_headers):
    assert_error(client.get("/admin/users?q=" + "x" * 2000, headers=admin_headers), 422)
    assert_error(client.get("/admin/users?page_size=1000", headers=admin_headers), 422)


def test_locking_ends_every_session_at_once(app, client, user_id, admin_headers):
    first, second = login(client, "alice"), login(client, "alice")

    response = lock(client, admin_headers, user_id)

    assert response.status_code == 200
    assert response.json["locked"] is True and response.json["lock_reason"] == "compromised"
    assert response.json["active_sessions"] == 0
    for session in (first, second):
        assert_error(me(client, session), 401, "token_revoked")
        assert_error(refresh(client, session), 401, "token_revoked")
        reauth = client.post(
            "/reauthenticate", json={"password": PASSWORD}, headers=bearer(session["access_token"])
        )
        assert_error(reauth, 401, "token_revoked")


def test_a_lock_is_seen_by_another_instance_on_the_same_database(
    app, client, user_id, admin_headers
):
    # A second app on the same database (and Redis, when configured): another worker.
    other = build_app().test_client()
    tokens = login(other, "alice")
    assert me(other, tokens).status_code == 200

    lock(client, admin_headers, user_id)

    assert_error(me(other, tokens), 401, "token_revoked")
    assert_error(refresh(other, tokens), 401, "token_revoked")
    assert_error(other.post("/login", json={"username": "alice", "password": PASSWORD}), 403)


def test_a_locked_account_cannot_log_in_but_a_wrong_password_is_still_401(
    client, user_id, admin_headers
):
    lock(client, admin_headers, user_id)

    right = client.post("/login", json={"username": "alice", "password": PASSWORD})
    wrong = client.post("/login", json={"username": "alice", "password": "not the password"})

    assert_error(right, 403, "account_locked")
    assert_error(wrong, 401, "invalid_credentials")
    assert wrong.json["message"] == "Invalid credentials."


def test_the_lock_holds_against_a_session_that_slipped_past_it(app, client, user_id):
    # A login racing the lock could commit a session after the lock revoked the others:
    # the check reads the lock itself, so its tokens are refused all the same.
    tokens = login(client, "alice")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.locked_at = user.created_at
        db.session.commit()

    assert_error(me(client, tokens), 401, "token_revoked")
    assert_error(refresh(client, tokens), 401, "token_revoked")


def test_a_lock_committed_during_a_login_leaves_that_login_no_session(
    app, client, user_id, admin_headers, monkeypatch
):
    # The login has checked the password (and read an unlocked account) when the lock
    # commits: it must not make a session that outlives the lock, unlocked later.
    from auth import factors

    def lock_meanwhile(user) -> None:
        with app.app_context():
            db.session.execute(update(User).where(User.id == user_id).values(locked_at=utcnow()))
            db.session.commit()

    monkeypatch.setattr(factors, "challenge_login", lock_meanwhile)
    raced = client.post("/login", json={"username": "alice", "password": PASSWORD})
    monkeypatch.undo()

    assert_error(raced, 403, "account_locked")
    with app.app_context():
        left = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id))
        assert left.all() == []
    assert client.post(f"/admin/users/{user_id}/unlock", headers=admin_headers).status_code == 200
    assert "access_token" in login(client, "alice")


def test_a_lock_ends_a_login_waiting_for_its_second_factor(
    app, client, user_id, auth_headers, admin_headers
):
    started = client.post("/me/mfa/totp", headers=auth_headers).json["secret"]
    confirmed = client.post(
        "/me/mfa/totp/confirm",
        json={"code": previous_step_code(started)},
        headers=auth_headers,
    )
    recovery_code = confirmed.json["recovery_codes"][0]

    def second_step(mfa_token: str):
        return client.post(
            "/login/mfa", json={"mfa_token": mfa_token, "recovery_code": recovery_code}
        )

    def pending() -> str:
        response = client.post("/login", json={"username": "alice", "password": PASSWORD})
        assert_error(response, 403, "mfa_required")
        return response.json["mfa_token"]

    voided = pending()
    lock(client, admin_headers, user_id)
    client.post(f"/admin/users/{user_id}/unlock", headers=admin_headers)
    assert_error(second_step(voided), 401, "invalid_token")  # the lock voided it

    # A lock that lands while the token is alive: refused before any code is spent.
    alive = pending()
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(locked_at=utcnow()))
        db.session.commit()
    assert_error(second_step(alive), 403, "account_locked")
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(locked_at=None))
        db.session.commit()
    assert second_step(pending()).status_code == 200


def test_unlocking_lets_the_user_log_in_again(client, user_id, admin_headers):
    lock(client, admin_headers, user_id)

    response = client.post(f"/admin/users/{user_id}/unlock", headers=admin_headers)

    assert response.status_code == 200
    assert response.json["locked"] is False and response.json["lock_reason"] is None
    assert me(client, login(client, "alice")).status_code == 200


def test_a_lock_without_a_reason_and_a_bad_reason(client, user_id, admin_headers):
    assert (
        client.post(f"/admin/users/{user_id}/lock", json={}, headers=admin_headers).json[
            "lock_reason"
        ]
        is None
    )
    assert_error(lock(client, admin_headers, user_id, reason="x" * 201), 422)
    assert_error(lock(client, admin_headers, user_id, reason="a\x00b"), 422)


def test_signing_a_user_out_ends_their_sessions_but_not_the_account(client, user_id, admin_headers):
    tokens = login(client, "alice")

    response = client.post(f"/admin/users/{user_id}/logout", headers=admin_headers)

    assert response.status_code == 200 and response.json["active_sessions"] == 0
    assert_error(me(client, tokens), 401, "token_revoked")
    assert_error(refresh(client, tokens), 401, "token_revoked")
    assert me(client, login(client, "alice")).status_code == 200


def test_admin_rights_apply_on_the_next_request(client, user_id, admin_headers, auth_headers):
    assert_error(client.get("/admin/users", headers=auth_headers), 403)

    granted = client.patch(
        f"/admin/users/{user_id}", json={"is_admin": True}, headers=admin_headers
    )
    assert granted.status_code == 200 and granted.json["is_admin"] is True
    # The same token, minted while alice was no admin.
    assert client.get("/admin/users", headers=auth_headers).status_code == 200

    revoked = client.patch(
        f"/admin/users/{user_id}", json={"is_admin": False}, headers=admin_headers
    )
    assert revoked.status_code == 200 and revoked.json["is_admin"] is False
    assert_error(client.get("/admin/users", headers=auth_headers), 403)
    assert_error(client.delete("/store/1", headers=auth_headers), 403)


def test_a_demoted_admins_refreshed_token_carries_no_admin_claim(
    app, client, user_id, admin_headers
):
    client.patch(f"/admin/users/{user_id}", json={"is_admin": True}, headers=admin_headers)
    tokens = login(client, "alice")

    client.patch(f"/admin/users/{user_id}", json={"is_admin": False}, headers=admin_headers)
    refreshed = refresh(client, tokens).json

    assert_error(client.get("/admin/events", headers=bearer(refreshed["access_token"])), 403)


def test_a_patch_needs_is_admin(client, user_id, admin_headers):
    assert_error(client.patch(f"/admin/users/{user_id}", json={}, headers=admin_headers), 422)
    assert_error(
        client.patch(f"/admin/users/{user_id}", json={"is_admin": "maybe"}, headers=admin_headers),
        422,
    )


def test_an_admin_cannot_lock_or_demote_themself(client, admin_id, admin_headers):
    locked = lock(client, admin_headers, admin_id)
    demoted = client.patch(
        f"/admin/users/{admin_id}", json={"is_admin": False}, headers=admin_headers
    )

    assert_error(locked, 409, "own_account")
    assert_error(demoted, 409, "own_account")
    assert client.get("/admin/users", headers=admin_headers).status_code == 200


def test_an_admin_may_lock_and_demote_another_admin(app, client, admin_headers):
    other = make_user(app, "second", is_admin=True)
    tokens = login(client, "second")

    demoted = client.patch(f"/admin/users/{other}", json={"is_admin": False}, headers=admin_headers)
    locked = lock(client, admin_headers, other)

    assert demoted.status_code == 200 and locked.status_code == 200
    assert_error(me(client, tokens), 401, "token_revoked")


def test_the_last_active_admin_is_never_locked_or_demoted(app, user_id, admin_id):
    # Through the API the caller is an active admin, so this happens only in a race: an
    # admin demoted by someone else while their own request runs.
    with app.app_context():
        target = db.session.get(User, admin_id)
        with pytest.raises(admin.AdminRuleError) as locked:
            admin.lock(target, "x", actor_id=user_id)
        with pytest.raises(admin.AdminRuleError) as demoted:
            admin.set_admin(target, False, actor_id=user_id)
        db.session.rollback()
        assert db.session.scalar(select(User.is_admin).where(User.id == admin_id)) is True

    assert locked.value.code == demoted.value.code == "last_admin"


def test_cli_locks_and_unlocks(app, client, user_id):
    tokens = login(client, "alice")
    runner = app.test_cli_runner()

    locked = runner.invoke(args=["users", "lock", "ALICE", "--reason", "stolen laptop"])

    assert locked.exit_code == 0, locked.output
    assert "1 session(s) ended" in locked.output
    assert_error(me(client, tokens), 401, "token_revoked")
    assert_error(client.post("/login", json={"username": "alice", "password": PASSWORD}), 403)

    unlocked = runner.invoke(args=["users", "unlock", "alice"])

    assert unlocked.exit_code == 0, unlocked.output
    assert me(client, login(client, "alice")).status_code == 200
    assert runner.invoke(args=["users", "lock", "nobody"]).exit_code != 0
    assert runner.invoke(args=["users", "unlock", "nobody"]).exit_code != 0


def test_cli_tails_the_events(app, client, user_id, admin_id):
    login(client, "alice")
    client.post("/login", json={"username": "root", "password": "wrong password!"})
    runner = app.test_cli_runner()

    everyone = runner.invoke(args=["events", "tail"])
    alices = runner.invoke(args=["events", "tail", "--user", "alice"])
    last = runner.invoke(args=["events", "tail", "-n", "1"])

    assert everyone.exit_code == 0, everyone.output
    lines = everyone.output.splitlines()
    assert [line.split()[1] for line in lines] == ["register", "register", "login", "login_failed"]
    assert f"user={admin_id}" in lines[-1]
    assert [line.split()[1] for line in alices.output.splitlines()] == ["register", "login"]
    assert [line.split()[1] for line in last.output.splitlines()] == ["login_failed"]
    assert runner.invoke(args=["events", "tail", "--user", "nobody"]).exit_code != 0
    assert DATABASE_URL  # the same suite runs on PostgreSQL + Redis (make test-services)


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, admin_id):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    other = make_user(app, "second", is_admin=True)
    pairs = [
        (login(app.test_client(), "root"), other),
        (login(app.test_client(), "second"), admin_id),
    ]
    barrier = Barrier(2)

    def demote(pair) -> int:
        tokens, target = pair
        client = app.test_client()
        barrier.wait()
        response = client.patch(
            f"/admin/users/{target}",
            json={"is_admin": False},
            headers=bearer(tokens["access_token"]),
        )
        return response.status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(demote, pairs))

    assert statuses.count(200) <= 1, statuses
    assert set(statuses) <= {200, 403, 409, 503}, statuses
    with app.app_context():
        admins = db.session.scalars(select(User.id).where(User.is_admin.is_(True))).all()
    assert len(admins) >= 1


def test_a_locked_account_cannot_sign_in_with_a_passkey_either():
    from tests.api.test_passkeys import ORIGIN, RP_ID, add_passkey, passkey_login
    from tests.authenticator import Authenticator

    app = make_app(PUBLIC_URL=ORIGIN)
    make_user(app, "alice")
    make_user(app, "root", is_admin=True)
    client = app.test_client()
    authenticator = Authenticator(ORIGIN, RP_ID)
    add_passkey(client, bearer(login(client, "alice")["access_token"]), authenticator)
    root = bearer(login(client, "root")["access_token"])
    alice = client.get("/admin/users?q=alice", headers=root).json[0]["id"]

    lock(client, root, alice)

    assert_error(passkey_login(client, authenticator), 403, "account_locked")
    client.post(f"/admin/users/{alice}/unlock", headers=root)
    assert passkey_login(client, authenticator).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=bob%00",
        "q=%1b",
        "q=%7f",
        "q=%c2%85",  # C1 (NEL)
        "q=%ef%bf%be",  # unassigned (U+FFFE)
        "q=%20%20",  # nothing once trimmed
    ],
)
def test_a_search_with_a_control_character_is_422_not_a_match_or_a_500(
    client, user_id, admin_headers, query
):
    response = client.get(f"/admin/users?{query}", headers=admin_headers)

    assert_error(response, 422)
    assert "q" in response.json["errors"]["query"]


@pytest.mark.parametrize("value", ["yes", "on", "y", "t", "TRUE", "true", 1, 0, "false", None])
def test_admin_rights_are_granted_by_json_true_only(app, client, user_id, admin_headers, value):
    response = client.patch(
        f"/admin/users/{user_id}", json={"is_admin": value}, headers=admin_headers
    )

    assert_error(response, 422)
    with app.app_context():
        assert db.session.get(User, user_id).is_admin is False


def test_json_true_and_false_grant_and_take_away_admin_rights(client, user_id, admin_headers):
    path = f"/admin/users/{user_id}"

    granted = client.patch(path, json={"is_admin": True}, headers=admin_headers)
    revoked = client.patch(path, json={"is_admin": False}, headers=admin_headers)

    assert granted.json["is_admin"] is True and revoked.json["is_admin"] is False


def test_the_last_active_admin_cannot_delete_themself(app, client, user_id, admin_id):
    tokens = login(client, "root")

    response = client.delete(f"/user/{admin_id}", headers=bearer(tokens["access_token"]))

    assert_error(response, 409, "last_admin")
    assert me(client, tokens).status_code == 200
    with app.app_context():
        assert db.session.get(User, admin_id).is_admin is True


def test_an_admin_may_delete_themself_while_another_admin_remains(app, client, admin_id):
    make_user(app, "second", is_admin=True)
    tokens = login(client, "root")

    response = client.delete(f"/user/{admin_id}", headers=bearer(tokens["access_token"]))

    assert response.status_code == 204
    assert_error(me(client, tokens), 401)


def test_a_locked_admin_does_not_count_as_the_one_left(app, client, admin_id):
    other = make_user(app, "second", is_admin=True)
    admin_tokens = login(client, "root")
    lock(client, bearer(admin_tokens["access_token"]), other)

    response = client.delete(f"/user/{admin_id}", headers=bearer(admin_tokens["access_token"]))

    assert_error(response, 409, "last_admin")


def test_two_admins_deleting_themselves_at_once_leave_one_admin(app, admin_id):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    other = make_user(app, "second", is_admin=True)
    pairs = [
        (login(app.test_client(), "root"), admin_id),
        (login(app.test_client(), "second"), other),
    ]
    barrier = Barrier(2)

    def delete_self(pair) -> int:
        tokens, target = pair
        client = app.test_client()
        barrier.wait()
        response = client.delete(f"/user/{target}", headers=bearer(tokens["access_token"]))
        return response.status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(delete_self, pairs))

    assert statuses.count(204) <= 1, statuses
    assert set(statuses) <= {204, 401, 409, 503}, statuses
    with app.app_context():
        admins = db.session.scalars(select(User.id).where(User.is_admin.is_(True))).all()
    assert len(admins) == 1


def test_the_last_active_admin_is_never_deleted_by_another_admin_either(app, user_id, admin_id):
    # Through the API this happens only in a race (the caller demoted meanwhile), as above.
    with app.app_context():
        target = db.session.get(User, admin_id)
        with pytest.raises(admin.AdminRuleError) as deleted:
            admin.delete_user(target, actor_id=user_id, sid=None)
        db.session.rollback()
        assert db.session.get(User, admin_id) is not None

    assert deleted.value.code == "last_admin"


@pytest.mark.parametrize(
    "args", [["users", "lock", "alice"], ["users", "mfa-reset", "alice"]], ids=" ".join
)
def test_cli_revocations_need_no_redis(args):
    # Redis holds only the throttling counters: a REDIS_URL whose port nothing listens on
    # changes nothing for a command that ends sessions.
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    make_user(app, "alice")
    client = app.test_client()
    tokens = login(client, "alice")

    result = app.test_cli_runner().invoke(args=args)

    assert result.exit_code == 0, result.output
    assert "1 session(s) ended" in result.output
    assert_error(me(client, tokens), 401, "token_revoked")
    assert_error(refresh(client, tokens), 401, "token_revoked")


def test_cli_says_in_one_line_that_the_database_does_not_answer():
    # Port 1: nothing listens there. The app is made without the start's database check,
    # as a command run while the database is still up would have been.
    app = build_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none")

    result = app.test_cli_runner().invoke(args=["users", "lock", "alice"])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith("error: DATABASE_URL: the database does not answer: ")
    assert len(result.output.splitlines()) == 1 and "Traceback" not in result.output
