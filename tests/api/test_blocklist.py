"""The revocation store: what it refuses, and that expired rows are purged."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from auth.revocation.database import purge
from extensions import db
from models import LoginSession, RevokedToken
from models.types import utcnow
from tests.conftest import make_app
from tests.factories import assert_error, bearer, count_queries, login, make_user


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def add_expired_rows(app, user_id: int) -> None:
    past = utcnow() - timedelta(seconds=1)
    with app.app_context():
        db.session.add(RevokedToken(jti="old", expires_at=past))
        db.session.add(LoginSession(id="old", user_id=user_id, expires_at=past, refresh_jti="x"))
        db.session.commit()


def test_logging_out_twice_with_one_token_keeps_one_row(app, client, user_id):
    from flask_jwt_extended import decode_token

    from auth.sessions import revoke_token

    tokens = login(client, "alice")
    with app.app_context():
        claims = decode_token(tokens["access_token"])
        revoke_token(claims)
        revoke_token(claims)

    assert count(app, RevokedToken) == 1


def test_purge_deletes_only_expired_rows(app, client, user_id):
    live = login(client, "alice")
    client.post("/logout", headers=bearer(login(client, "alice")["access_token"]))
    add_expired_rows(app, user_id)

    with app.app_context():
        deleted = purge()

    assert deleted == 2
    assert count(app, RevokedToken) == 1  # the logout's, still unexpired
    assert count(app, LoginSession) == 2
    assert client.get("/me", headers=bearer(live["access_token"])).status_code == 200


def test_logouts_purge_expired_rows_now_and_then(app, client, user_id):
    add_expired_rows(app, user_id)
    app.config["PURGE_INTERVAL_SECONDS"] = 0

    client.post("/logout", headers=bearer(login(client, "alice")["access_token"]))

    with app.app_context():
        assert db.session.get(RevokedToken, "old") is None
        assert db.session.get(LoginSession, "old") is None


def test_the_purge_command(app, user_id):
    add_expired_rows(app, user_id)

    result = app.test_cli_runner().invoke(args=["revocations", "purge"])

    assert result.exit_code == 0
    assert "purged 2 expired row(s)" in result.output


def test_a_protected_request_makes_one_query(app, client, tokens):
    # The user, the session and the revoked jti in one round trip; the view reuses the
    # user it returned instead of loading it again. The second factors /me reports come
    # with the user.
    headers = bearer(tokens["access_token"])
    client.get("/me", headers=headers)

    assert count_queries(app, client, "/me", headers) == 1


def _expire_sessions(app) -> None:
    """As if the sessions' refresh lifetime had passed (5 s here), not the access tokens'."""
    with app.app_context():
        for session in db.session.scalars(select(LoginSession)):
            session.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


def _app_with_long_access_tokens():
    app = make_app(
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=20),
        JWT_REFRESH_TOKEN_EXPIRES=timedelta(seconds=5),
    )
    make_user(app, "alice")
    return app


def test_a_revocation_outlives_access_tokens_that_outlive_their_session():
    app = _app_with_long_access_tokens()
    client = app.test_client()
    token = login(client, "alice")["access_token"]
    client.post("/logout/all", headers=bearer(token))

    status = client.get("/me", headers=bearer(token)).status_code

    assert status == 401


def test_a_session_revoked_after_its_own_expiry_still_refuses_its_access_token():
    app = _app_with_long_access_tokens()
    client = app.test_client()
    token = login(client, "alice")["access_token"]
    _expire_sessions(app)

    client.post("/logout/all", headers=bearer(token))

    assert client.get("/me", headers=bearer(token)).status_code == 401


def test_a_purged_session_still_refuses_access_tokens_past_its_expiry():
    app = _app_with_long_access_tokens()
    client = app.test_client()
    token = login(client, "alice")["access_token"]
    client.post("/logout/all", headers=bearer(token))
    _expire_sessions(app)

    with app.app_context():
        assert purge() == 1  # the session's row is gone: a missing session is a revoked one

    assert client.get("/me", headers=bearer(token)).status_code == 401


def _session_id(client, token: str) -> str:
    listed = client.get("/sessions", headers=bearer(token)).json
    return next(session["id"] for session in listed if session["current"])


# Each way of revoking: the request, made with the revoked session's tokens (`own`) or
# with another session of alice (`other`) or of the admin (`root`), and its status.
REVOCATIONS = {
    "logout": lambda c, own, other, root, uid: c.post("/logout", headers=bearer(own)),
    "logout-all": lambda c, own, other, root, uid: c.post("/logout/all", headers=bearer(other)),
    "session": lambda c, own, other, root, uid: c.delete(
        f"/sessions/{_session_id(c, own)}", headers=bearer(other)
    ),
    "lock": lambda c, own, other, root, uid: c.post(
        f"/admin/users/{uid}/lock", json={}, headers=bearer(root)
    ),
    "admin-logout": lambda c, own, other, root, uid: c.post(
        f"/admin/users/{uid}/logout", headers=bearer(root)
    ),
    "delete-user": lambda c, own, other, root, uid: c.delete(f"/user/{uid}", headers=bearer(root)),
}


@pytest.mark.parametrize("way", REVOCATIONS)
def test_revocations_never_need_redis(way):
    # Redis holds only the throttling counters (off in this suite, on by default: README,
    # Running at scale). With a REDIS_URL that nothing answers, every revocation
    # succeeds and holds as without Redis; only readiness says that Redis is down.
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    user_id = make_user(app, "alice")
    make_user(app, "root", is_admin=True)
    client = app.test_client()
    own, other = login(client, "alice"), login(client, "alice")
    root = login(client, "root")["access_token"]

    response = REVOCATIONS[way](client, own["access_token"], other["access_token"], root, user_id)

    assert response.status_code in (200, 204), response.json
    assert_error(client.get("/me", headers=bearer(own["access_token"])), 401)
    assert_error(client.post("/refresh", headers=bearer(own["refresh_token"])), 401)
    assert assert_error(client.get("/health"), 503)["errors"]["redis"] == "down"
