"""The security activity record: every security event is a row of audit_events, written
with the change it records, readable by the user (/me/events) and admins (/admin/events),
and purged after the retention period."""

import contextlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from extensions import db
from models import AuditEvent, User
from models.types import utcnow
from tests.conftest import drain_mail, make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user
from tests.mailbox import Mailbox, token_in

NEW_PASSWORD = "a brand new passphrase"


def names(client, headers, path="/me/events") -> list[str]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.json
    return [row["event"] for row in response.json]


def rows(app, **filters) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)
        found = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return found


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box
        drain_mail()


@pytest.fixture
def mail_app(mailbox):
    return make_app(MAIL_URL=mailbox.url)


def test_a_session_lifecycle_is_recorded_newest_first(client, user_id, tokens):
    other = login(client, "alice")
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json
    client.post("/refresh", headers=bearer(tokens["refresh_token"]))  # replayed: reuse
    client.post("/login", json={"username": "alice", "password": "wrong password"})  # login_failed
    third = login(client, "alice")
    client.post(
        "/reauthenticate",
        json={"password": "wrong password"},
        headers=bearer(third["access_token"]),
    )
    client.post(
        "/reauthenticate", json={"password": PASSWORD}, headers=bearer(third["access_token"])
    )
    sid = client.get("/sessions", headers=bearer(third["access_token"])).json
    victim = next(s["id"] for s in sid if not s["current"])
    client.delete(f"/sessions/{victim}", headers=bearer(third["access_token"]))
    client.post("/logout", headers=bearer(third["access_token"]))
    fourth = login(client, "alice")
    client.post("/logout/all", headers=bearer(fourth["access_token"]))
    assert refreshed and other

    listed = names(client, bearer(login(client, "alice")["access_token"]))

    assert listed == [
        "login", "logout_all", "login", "logout", "session_revoked", "reauthenticated",
        "reauthentication_failed", "login", "login_failed", "reuse_detected", "refresh",
        "login", "login", "register",
    ]  # fmt: skip


def test_a_row_says_who_which_session_from_where_and_never_a_secret(app, client, user_id):
    agent = "Mozilla/5.0 " + "x" * 1000
    tokens = login(client, "alice", headers={"User-Agent": agent})
    client.post("/login", json={"username": "alice", "password": "hunter2 wrong"})

    events = client.get("/me/events", headers=bearer(tokens["access_token"])).json

    failed, login_row = events[0], events[1]
    assert login_row["event"] == "login" and login_row["user_id"] == user_id
    assert login_row["sid"] and login_row["ip"] == "127.0.0.1"
    assert login_row["user_agent"] == agent[:255]
    assert failed["event"] == "login_failed" and failed["sid"] is None
    assert set(failed) == {"id", "time", "event", "user_id", "sid", "ip", "user_agent", "details"}
    stored = json.dumps([row.details for row in rows(app)])
    for secret in ("hunter2", PASSWORD, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in stored


def test_a_failed_login_for_an_unknown_name_is_recorded_without_a_user(app, client):
    client.post("/login", json={"username": "nobody", "password": PASSWORD})

    (row,) = rows(app, event="login_failed")

    assert row.user_id is None and row.ip == "127.0.0.1"


def test_a_locked_accounts_login_is_recorded_as_failed(app, client, user_id, admin_headers):
    client.post(f"/admin/users/{user_id}/lock", json={"reason": "x"}, headers=admin_headers)

    client.post("/login", json={"username": "alice", "password": PASSWORD})

    (row,) = rows(app, event="login_failed", user_id=user_id)
    assert row.details == {"reason": "account_locked"}


def test_password_change_and_user_deletion_are_recorded(app, client, user_id, tokens):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    client.post("/me/password", json=body, headers=bearer(tokens["access_token"]))
    fresh = login(client, "alice", NEW_PASSWORD)

    response = client.delete(f"/user/{user_id}", headers=bearer(fresh["access_token"]))

    # The user is gone; their events stay (with their id, never reused) for the admins.
    assert response.status_code == 204
    recorded = [row.event for row in rows(app, user_id=user_id)]
    assert recorded == ["register", "login", "password_changed", "login", "user_deleted"]
    with app.app_context():
        assert db.session.get(User, user_id) is None


def test_admin_actions_are_recorded_for_the_user_with_the_admin(
    app, client, user_id, admin_id, admin_headers
):
    path = f"/admin/users/{user_id}"
    client.post(f"{path}/logout", headers=admin_headers)
    client.post(f"{path}/lock", json={"reason": "stolen laptop"}, headers=admin_headers)
    client.post(f"{path}/unlock", headers=admin_headers)
    client.patch(path, json={"is_admin": True}, headers=admin_headers)
    client.patch(path, json={"is_admin": False}, headers=admin_headers)

    recorded = [(row.event, row.details) for row in rows(app, user_id=user_id)][1:]

    assert recorded == [
        ("admin_logout", {"by": admin_id, "sessions": 0}),
        ("account_locked", {"by": admin_id, "reason": "stolen laptop", "sessions": 0}),
        ("account_unlocked", {"by": admin_id}),
        ("admin_granted", {"by": admin_id}),
        ("admin_revoked", {"by": admin_id}),
    ]


def test_recovery_is_recorded(mail_app, mailbox):
    client = mail_app.test_client()
    body = {"username": "alice", "password": PASSWORD, "email": "alice@example.com"}
    user_id = client.post("/register", json=body).json["id"]
    drain_mail()
    client.post("/email/verify", json={"token": token_in(mailbox.to("alice@example.com")[0])})
    tokens = login(client, "alice")
    client.post(
        "/me/email", json={"email": "new@example.com"}, headers=bearer(tokens["access_token"])
    )
    drain_mail()
    client.post("/email/verify", json={"token": token_in(mailbox.to("new@example.com")[0])})
    client.post("/password/forgot", json={"username": "alice"})
    drain_mail()
    reset = token_in(mailbox.to("new@example.com")[-1])
    client.post("/password/reset", json={"token": reset, "new_password": NEW_PASSWORD})
    client.post("/password/forgot", json={"username": "nobody"})

    recorded = [row.event for row in rows(mail_app, user_id=user_id)]

    assert recorded == [
        "register", "email_verification_sent", "email_verified", "login",
        "email_change_requested", "email_verification_sent", "email_changed",
        "password_reset_requested", "password_reset",
    ]  # fmt: skip
    (reset_row,) = rows(mail_app, event="password_reset")
    assert reset_row.details == {"sessions": 1}
    assert [row.user_id for row in rows(mail_app, event="password_reset_requested")] == [
        user_id,
        None,
    ]


@contextlib.contextmanager
def revocations_failing(app):
    """The database fails the sessions' revocation (it went away mid-request, say), after
    the change that asked for it was written in the same transaction."""

    def fail(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("UPDATE sessions SET revoked_at"):
            raise OperationalError(statement, None, ConnectionError("connection lost"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def test_a_change_that_fails_leaves_no_event(app, client, user_id, tokens):
    # The password change, the revocation and the event are one transaction: all rolled back.
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}

    with revocations_failing(app):
        response = client.post("/me/password", json=body, headers=bearer(tokens["access_token"]))

    assert_error(response, 503)
    assert rows(app, event="password_changed") == []
    assert login(client, "alice", PASSWORD)  # the old password still works


def test_a_lock_that_fails_leaves_no_event_and_no_lock(app, client, user_id, admin_headers):
    tokens = login(client, "alice")

    with revocations_failing(app):
        response = client.post(f"/admin/users/{user_id}/lock", json={}, headers=admin_headers)

    assert_error(response, 503)
    assert rows(app, event="account_locked") == []
    assert client.get("/me", headers=bearer(tokens["access_token"])).status_code == 200


def test_me_events_are_the_callers_own_and_paginated(app, client, user_id, admin_id):
    for _ in range(4):
        login(client, "alice")
    root = bearer(login(client, "root")["access_token"])

    mine = client.get("/me/events?page=1&page_size=2", headers=root)

    assert [row["event"] for row in mine.json] == ["login", "register"]
    assert {row["user_id"] for row in mine.json} == {admin_id}
    assert json.loads(mine.headers["X-Pagination"])["total"] == 2
    alice = bearer(login(client, "alice")["access_token"])
    page = client.get("/me/events?page=2&page_size=3", headers=alice)
    assert [row["event"] for row in page.json] == ["login", "login", "register"]
    assert json.loads(page.headers["X-Pagination"])["total"] == 6


def test_admin_events_are_filtered_by_user_name_and_time(
    app, client, user_id, admin_id, admin_headers
):
    bob = make_user(app, "bob")
    client.post("/login", json={"username": "bob", "password": "wrong password"})
    with app.app_context():
        old = AuditEvent(event="login", user_id=bob, time=utcnow() - timedelta(days=3))
        db.session.add(old)
        db.session.commit()
    since = (utcnow() - timedelta(days=1)).isoformat()
    until = (utcnow() - timedelta(days=2)).isoformat()

    def listed(query: str) -> list[tuple[str, int | None]]:
        response = client.get(f"/admin/events?{query}", headers=admin_headers)
        assert response.status_code == 200, response.json
        return [(row["event"], row["user_id"]) for row in response.json]

    assert listed(f"user_id={bob}") == [("login_failed", bob), ("register", bob), ("login", bob)]
    assert listed("event=login_failed") == [("login_failed", bob)]
    assert listed(f"user_id={bob}&since={since.replace('+', '%2B')}") == [
        ("login_failed", bob),
        ("register", bob),
    ]
    assert listed(f"user_id={bob}&until={until.replace('+', '%2B')}") == [("login", bob)]
    assert listed("event=nothing") == []
    first = client.get("/admin/events?page_size=1", headers=admin_headers)
    assert json.loads(first.headers["X-Pagination"])["total"] == 6
    assert first.json[0]["event"] == "login_failed"  # newest by time, not by insertion


@pytest.mark.parametrize(
    "query", ["user_id=0", "user_id=x", "since=yesterday", "until=2026-13-01", "event=" + "e" * 65]
)
def test_bad_event_filters_are_422(client, admin_headers, query):
    assert_error(client.get(f"/admin/events?{query}", headers=admin_headers), 422)


def test_old_events_are_purged_after_the_retention_period(user_id):
    app = make_app(AUDIT_RETENTION_DAYS=30)
    with app.app_context():
        for age in (31, 29):
            db.session.add(
                AuditEvent(event="login", user_id=1, time=utcnow() - timedelta(days=age))
            )
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["revocations", "purge"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        ages = [(utcnow() - time).days for time in db.session.scalars(select(AuditEvent.time))]
    assert ages == [29]


@pytest.mark.parametrize(
    "query",
    [
        "event=%00",
        "event=login%00",
        "event=%1f",
        "since=9999-12-31T23:59:59-14:00",
        "until=0001-01-01T00:00:00%2B14:00",
        "since=0001-01-01T00:00:00%2B00:01",
    ],
)
def test_event_filters_that_cannot_be_queried_are_422_not_a_500(client, admin_headers, query):
    response = client.get(f"/admin/events?{query}", headers=admin_headers)

    assert_error(response, 422)


def test_filters_at_the_edges_of_the_range_still_work(client, admin_headers):
    for query in ("since=9999-12-31T23:59:59Z", "until=0001-01-01T00:00:00Z", "event=login"):
        response = client.get(f"/admin/events?{query}", headers=admin_headers)
        assert response.status_code == 200, (query, response.json)


def test_details_keep_lists_as_lists_and_none_as_sql_null(app, client, user_id, admin_headers):
    from sqlalchemy import text

    from auth import events

    with app.test_request_context():
        events.record("mfa_required", user_id, None, {"methods": ["totp", "recovery_code"]})
        events.record("nothing_to_say", user_id, None, {})
        db.session.commit()
    # Written at the end of its request (no commit follows a failure), by another path.
    client.post("/login", json={"username": "nobody", "password": "wrong password"})

    listed = client.get(f"/admin/events?user_id={user_id}", headers=admin_headers).json
    by_name = {row["event"]: row for row in listed}
    assert by_name["mfa_required"]["details"] == {"methods": ["totp", "recovery_code"]}
    assert by_name["nothing_to_say"]["details"] is None
    with app.app_context():
        stored = db.session.execute(
            text("SELECT event FROM audit_events WHERE details IS NULL ORDER BY id")
        ).scalars()
        assert set(stored) >= {"register", "nothing_to_say", "login_failed"}


def test_an_mfa_login_records_its_methods_as_a_json_list(app, client, user_id, auth_headers):
    from tests.api.test_totp import LOGIN, turn_on

    turn_on(client, auth_headers)

    client.post("/login", json=LOGIN)

    (row,) = rows(app, event="mfa_required")
    assert row.details == {"methods": ["totp", "recovery_code"]}
    mine = client.get("/me/events", headers=auth_headers).json
    assert mine[0]["details"] == {"methods": ["totp", "recovery_code"]}
