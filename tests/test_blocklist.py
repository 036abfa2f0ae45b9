"""The revocation store: what it refuses, and that it purges what no longer matters."""

from datetime import timedelta

from sqlalchemy import func, select

from blocklist import current_blocklist
from extensions import db
from models import LoginSession, RevokedToken
from models.types import utcnow
from tests.factories import bearer, login


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_revoking_a_token_twice_is_harmless(app):
    with app.app_context():
        store = current_blocklist()
        store.revoke_token("jti-1", utcnow() + timedelta(minutes=5))
        store.revoke_token("jti-1", utcnow() + timedelta(minutes=5))

    assert count(app, RevokedToken) == 1


def test_purge_deletes_only_expired_rows(app, client, user_id):
    live = login(client, "alice")
    client.post("/logout", headers=bearer(login(client, "alice")["access_token"]))
    with app.app_context():
        store = current_blocklist()
        store.revoke_token("old", utcnow() - timedelta(seconds=1))
        expired = db.session.scalars(select(LoginSession)).first()
        assert expired is not None
        db.session.add(
            LoginSession(
                id="expired-session",
                user_id=user_id,
                expires_at=utcnow() - timedelta(seconds=1),
                refresh_jti="x",
            )
        )
        db.session.commit()

        deleted = store.purge()

    assert deleted == 2
    assert count(app, RevokedToken) == 1  # the logout's, still unexpired
    assert client.get("/me", headers=bearer(live["access_token"])).status_code == 200


def test_logouts_purge_expired_rows_now_and_then(app, client, user_id):
    app.extensions["blocklist"].purge_interval = 0
    with app.app_context():
        current_blocklist().revoke_token("old", utcnow() - timedelta(seconds=1))

    client.post("/logout", headers=bearer(login(client, "alice")["access_token"]))

    with app.app_context():
        assert db.session.get(RevokedToken, "old") is None
    assert count(app, RevokedToken) == 1
