"""Password changes, users by id, account deletion and the `flask users` commands."""

import pytest

from tests.factories import PASSWORD, assert_error, bearer, login, make_user

NEW_PASSWORD = "a brand new long passphrase"


def change_password(client, tokens, current=PASSWORD, new=NEW_PASSWORD):
    return client.post(
        "/me/password",
        headers=bearer(tokens["access_token"]),
        json={"current_password": current, "new_password": new},
    )


def test_changing_the_password_ends_every_other_session(client, tokens):
    other = login(client, "alice")

    response = change_password(client, tokens)

    assert response.status_code == 200
    assert_error(client.get("/me", headers=bearer(other["access_token"])), 401, "token_revoked")
    assert client.get("/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert_error(client.post("/login", json={"username": "alice", "password": PASSWORD}), 401)
    login(client, "alice", NEW_PASSWORD)


def test_changing_the_password_needs_a_fresh_token(client, tokens):
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json

    assert_error(change_password(client, refreshed), 401, "fresh_token_required")


def test_a_wrong_current_password_is_401(client, tokens):
    response = change_password(client, tokens, current="not my password")

    assert_error(response, 401, "invalid_credentials")
    login(client, "alice")


@pytest.mark.parametrize("weak", ["short", "password123", "alice", "ALICE"])
def test_a_weak_new_password_is_422_with_the_reason(client, tokens, weak):
    body = assert_error(change_password(client, tokens, new=weak), 422)

    assert body["errors"]["new_password"]
    login(client, "alice")


def test_a_user_sees_themself_and_never_the_hash(client, user_id, auth_headers):
    response = client.get(f"/user/{user_id}", headers=auth_headers)

    assert response.status_code == 200
    assert response.json["username"] == "alice"
    assert "password" not in response.get_data(as_text=True)


def test_another_user_is_403_and_an_unknown_one_404_for_an_admin(
    client, user_id, admin_id, auth_headers, admin_headers
):
    assert_error(client.get(f"/user/{admin_id}", headers=auth_headers), 403)
    assert client.get(f"/user/{user_id}", headers=admin_headers).json["id"] == user_id
    assert_error(client.get("/user/999", headers=admin_headers), 404)
    assert_error(client.get(f"/user/{user_id}"), 401, "authorization_required")


def test_a_user_deletes_themself_and_their_tokens_die(client, user_id, tokens):
    other = login(client, "alice")

    response = client.delete(f"/user/{user_id}", headers=bearer(tokens["access_token"]))

    assert response.status_code == 204
    for session in (tokens, other):
        assert client.get("/me", headers=bearer(session["access_token"])).status_code == 401
        assert client.post("/refresh", headers=bearer(session["refresh_token"])).status_code == 401
    assert_error(client.post("/login", json={"username": "alice", "password": PASSWORD}), 401)


def test_a_deleted_users_token_is_refused_after_new_users_register(app, client, user_id, tokens):
    client.delete(f"/user/{user_id}", headers=bearer(tokens["access_token"]))

    new_ids = [make_user(app, name) for name in ("bob", "carol", "dave")]

    assert user_id not in new_ids
    response = client.get("/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401


def test_deletion_rules(client, user_id, admin_id, tokens, admin_headers):
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json

    assert_error(
        client.delete(f"/user/{user_id}", headers=bearer(refreshed["access_token"])),
        401,
        "fresh_token_required",
    )
    assert_error(client.delete(f"/user/{admin_id}", headers=bearer(refreshed["access_token"])), 401)
    assert_error(client.delete("/user/999", headers=admin_headers), 404)
    assert client.delete(f"/user/{user_id}", headers=admin_headers).status_code == 204


def test_a_non_admin_cannot_delete_someone_else(client, admin_id, auth_headers):
    assert_error(client.delete(f"/user/{admin_id}", headers=auth_headers), 403)


def test_cli_creates_users_and_admins(app):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["users", "create", "Eve", "--admin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "admin" in result.output
    duplicate = runner.invoke(args=["users", "create", "eve"], input=PASSWORD + "\n")
    assert duplicate.exit_code != 0
    weak = runner.invoke(args=["users", "create", "frank"], input="password\n")
    assert weak.exit_code != 0 and "refused" in weak.output

    client = app.test_client()
    tokens = login(client, "eve")
    assert client.get("/me", headers=bearer(tokens["access_token"])).json["is_admin"] is True


def test_cli_grants_and_revokes_admin_rights(app, user_id):
    runner = app.test_cli_runner()
    client = app.test_client()

    assert runner.invoke(args=["users", "set-admin", "ALICE"]).exit_code == 0
    tokens = login(client, "alice")
    assert client.get("/me", headers=bearer(tokens["access_token"])).json["is_admin"] is True

    assert runner.invoke(args=["users", "set-admin", "alice", "--revoke"]).exit_code == 0
    # is_admin comes from the database on every request, not from the token's claim.
    assert client.get("/me", headers=bearer(tokens["access_token"])).json["is_admin"] is False
    assert runner.invoke(args=["users", "set-admin", "nobody"]).exit_code != 0
