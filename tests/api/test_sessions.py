"""Sessions: reuse detection, logout everywhere, the device list, ending one session."""

from sqlalchemy import select

from extensions import db
from models import LoginSession
from tests.factories import assert_error, bearer, login


def me(client, tokens):
    return client.get("/me", headers=bearer(tokens["access_token"]))


def refresh(client, tokens):
    return client.post("/refresh", headers=bearer(tokens["refresh_token"]))


def test_a_replayed_refresh_token_revokes_the_whole_session(client, tokens):
    victim = refresh(client, tokens).json  # the rightful client rotates

    attacker = refresh(client, tokens)  # the stolen, already spent token comes back

    assert_error(attacker, 401, "token_revoked")
    assert_error(me(client, victim), 401, "token_revoked")
    assert_error(refresh(client, victim), 401, "token_revoked")


def test_after_a_replay_the_attackers_newest_tokens_are_refused_too(client, tokens):
    attacker = refresh(client, tokens).json  # the thief rotates first

    assert_error(refresh(client, tokens), 401, "token_revoked")  # the victim replays

    assert_error(me(client, attacker), 401, "token_revoked")
    assert_error(refresh(client, attacker), 401, "token_revoked")


def test_reuse_in_one_session_leaves_other_sessions_alive(client, tokens):
    other = login(client, "alice")
    refresh(client, tokens)

    refresh(client, tokens)

    assert me(client, other).status_code == 200


def test_logout_all_revokes_every_session_of_the_user(client, tokens, admin_headers):
    second, third = login(client, "alice"), login(client, "alice")

    response = client.post("/logout/all", headers=bearer(tokens["access_token"]))

    assert response.status_code == 200
    assert "message" in response.json
    for session in (tokens, second, third):
        assert_error(me(client, session), 401, "token_revoked")
        assert_error(refresh(client, session), 401, "token_revoked")
    assert client.get("/me", headers=admin_headers).status_code == 200


def test_logout_all_needs_an_access_token(client, tokens):
    assert_error(client.post("/logout/all"), 401, "authorization_required")
    assert_error(client.post("/logout/all", headers=bearer(tokens["refresh_token"])), 401)


def test_sessions_lists_live_sessions_and_marks_the_current_one(client, tokens):
    headers = {"User-Agent": "phone/1.0"}
    phone = login(client, "alice", headers=headers)
    ended = login(client, "alice")
    client.post("/logout", headers=bearer(ended["access_token"]))

    response = client.get("/sessions", headers=bearer(phone["access_token"]))

    assert response.status_code == 200
    assert len(response.json) == 2
    for session in response.json:
        assert set(session) == {"id", "created_at", "last_used_at", "user_agent", "ip", "current"}
    current = [s for s in response.json if s["current"]]
    assert len(current) == 1
    assert current[0]["user_agent"] == "phone/1.0"
    assert current[0]["ip"] == "127.0.0.1"


def test_sessions_shows_only_the_callers_sessions(client, tokens, admin_headers):
    response = client.get("/sessions", headers=admin_headers)

    assert len(response.json) == 1 and response.json[0]["current"]


def test_sessions_needs_a_token(client):
    assert_error(client.get("/sessions"), 401, "authorization_required")


def test_refresh_updates_last_used_at(client, tokens):
    before = client.get("/sessions", headers=bearer(tokens["access_token"])).json[0]

    new = refresh(client, tokens).json

    after = client.get("/sessions", headers=bearer(new["access_token"])).json[0]
    assert after["id"] == before["id"]
    assert after["last_used_at"] > before["last_used_at"]


def test_deleting_a_session_stops_its_tokens_at_once(client, tokens):
    laptop = login(client, "alice")
    sid = next(
        s["id"]
        for s in client.get("/sessions", headers=bearer(tokens["access_token"])).json
        if not s["current"]
    )

    response = client.delete(f"/sessions/{sid}", headers=bearer(tokens["access_token"]))

    assert response.status_code == 204
    assert_error(me(client, laptop), 401, "token_revoked")
    assert_error(refresh(client, laptop), 401, "token_revoked")
    assert me(client, tokens).status_code == 200


def test_someone_elses_session_and_no_session_get_the_same_404(client, tokens, admin_headers):
    admins_sid = client.get("/sessions", headers=admin_headers).json[0]["id"]

    foreign = client.delete(f"/sessions/{admins_sid}", headers=bearer(tokens["access_token"]))
    missing = client.delete("/sessions/no-such-session", headers=bearer(tokens["access_token"]))

    assert_error(foreign, 404)
    assert foreign.json == missing.json
    assert client.get("/me", headers=admin_headers).status_code == 200


def test_a_session_id_that_is_not_a_uuid_is_the_same_404_not_a_500(client, tokens):
    headers = bearer(tokens["access_token"])
    missing = client.delete("/sessions/no-such-session", headers=headers)

    for path in ("/sessions/%00", "/sessions/a%00b", "/sessions/%1b", "/sessions/" + "x" * 2000):
        response = client.delete(path, headers=headers)
        assert_error(response, 404)
        assert response.json == missing.json
    assert me(client, tokens).status_code == 200


def test_a_login_records_its_session_row(app, client, user_id, tokens):
    with app.app_context():
        session = db.session.scalars(select(LoginSession)).one()
        assert session.user_id == user_id
        assert session.revoked_at is None
        assert session.expires_at > session.created_at
