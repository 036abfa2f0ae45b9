"""The revocation store: what it refuses, and that expired rows are purged."""

from datetime import timedelta

from sqlalchemy import func, select

from auth.revocation.database import purge
from extensions import db
from models import LoginSession, RevokedToken
from models.types import utcnow
from tests.factories import bearer, count_queries, login


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
    # user it returned instead of loading it again. (With Redis, the first request after
    # Redis starts empty also refills it from the database: not the one counted.) The
    # second factors /me reports come with the user.
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
    from tests.conftest import make_app
    from tests.factories import make_user

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
    store = app.extensions["blocklist"]

    status = client.get("/me", headers=bearer(token)).status_code

    assert status == 401
    if hasattr(store, "redis"):  # the Redis entry lives as long as the access token
        assert min(store.redis.ttl(key) for key in store.redis.keys("*revoked:sid:*")) >= 19


def test_a_session_revoked_after_its_own_expiry_still_refuses_its_access_token():
    app = _app_with_long_access_tokens()
    client = app.test_client()
    token = login(client, "alice")["access_token"]
    _expire_sessions(app)

    client.post("/logout/all", headers=bearer(token))

    assert client.get("/me", headers=bearer(token)).status_code == 401


def test_a_refilled_store_still_refuses_access_tokens_past_their_sessions_expiry():
    app = _app_with_long_access_tokens()
    client = app.test_client()
    token = login(client, "alice")["access_token"]
    client.post("/logout/all", headers=bearer(token))
    _expire_sessions(app)
    store = app.extensions["blocklist"]
    if hasattr(store, "redis"):
        store.redis.flushdb()  # Redis restarted empty: the next check refills it

    assert client.get("/me", headers=bearer(token)).status_code == 401
