"""Asymmetric signing, the JWKS, key rotation, issuer/audience, and introspection."""

import base64
import hashlib
import hmac
import json
import stat
import time

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import make_app
from tests.factories import assert_error, bearer, login, make_user

CLIENT = ("resource-server", "introspection-secret-long-enough")


def app_signing_with(monkeypatch, tmp_path, algorithm: str, **config):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(
        JWT_ALGORITHM=algorithm,
        INTROSPECTION_CLIENT_ID=CLIENT[0],
        INTROSPECTION_CLIENT_SECRET=CLIENT[1],
        **config,
    )
    make_user(app, "alice")
    return app


def jwks(client) -> list[dict]:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert "max-age=" in response.headers["Cache-Control"]
    return response.json["keys"]


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
def test_each_algorithm_signs_publishes_and_verifies(monkeypatch, tmp_path, algorithm):
    client = app_signing_with(monkeypatch, tmp_path, algorithm).test_client()

    tokens = login(client, "alice")

    header = pyjwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == algorithm
    keys = jwks(client)
    assert [key["kid"] for key in keys] == [header["kid"]]
    assert "d" not in keys[0]  # public parts only
    public = pyjwt.PyJWK(keys[0]).key
    claims = pyjwt.decode(tokens["access_token"], public, algorithms=[algorithm])
    assert claims["sub"] == "1"
    assert client.get("/me", headers=bearer(tokens["access_token"])).status_code == 200
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 200
    assert client.get("/me", headers=bearer(refreshed.json["access_token"])).status_code == 200
    for path in (tmp_path / "instance" / "keys").glob("*.pem"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_hs256_publishes_an_empty_key_set(client):
    assert jwks(client) == []


def test_a_rotation_keeps_old_tokens_valid_and_signs_with_the_new_key(monkeypatch, tmp_path):
    app = app_signing_with(monkeypatch, tmp_path, "RS256")
    client, runner = app.test_client(), app.test_cli_runner()
    before = login(client, "alice")
    old_kid = pyjwt.get_unverified_header(before["access_token"])["kid"]

    result = runner.invoke(args=["keys", "rotate"])

    assert result.exit_code == 0, result.output
    after = login(client, "alice")
    new_kid = pyjwt.get_unverified_header(after["access_token"])["kid"]
    assert new_kid != old_kid
    assert [key["kid"] for key in jwks(client)] == [old_kid, new_kid]
    assert client.get("/me", headers=bearer(before["access_token"])).status_code == 200
    assert client.post("/refresh", headers=bearer(before["refresh_token"])).status_code == 200
    listing = runner.invoke(args=["keys", "list"]).output.splitlines()
    assert [line.split()[0] for line in listing] == [old_kid, new_kid]
    assert "(signing)" in listing[1] and "(signing)" not in listing[0]


def test_a_retired_key_leaves_the_jwks_once_its_tokens_have_expired(monkeypatch, tmp_path):
    app = app_signing_with(
        monkeypatch, tmp_path, "ES256", JWT_ACCESS_TOKEN_EXPIRES=1, JWT_REFRESH_TOKEN_EXPIRES=2
    )
    client, runner = app.test_client(), app.test_cli_runner()
    old = login(client, "alice")
    runner.invoke(args=["keys", "rotate"])
    assert len(jwks(client)) == 2
    now = time.time()

    # Past every token's lifetime, for this process (keys are named by their creation).
    monkeypatch.setattr(time, "time", lambda: now + 2.5)
    monkeypatch.setattr(time, "time_ns", lambda: int((now + 2.5) * 1e9))

    assert len(jwks(client)) == 1
    assert_error(client.get("/me", headers=bearer(old["access_token"])), 401)
    runner.invoke(args=["keys", "rotate"])  # prunes the retired file
    assert len(list((tmp_path / "instance" / "keys").glob("*.pem"))) == 2


def test_an_unknown_kid_and_a_foreign_key_are_refused(monkeypatch, tmp_path):
    client = app_signing_with(monkeypatch, tmp_path, "RS256").test_client()
    tokens = login(client, "alice")
    claims = pyjwt.decode(tokens["access_token"], options={"verify_signature": False})
    kid = pyjwt.get_unverified_header(tokens["access_token"])["kid"]
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    for headers in ({"kid": "unknown"}, {"kid": kid}):
        forged = pyjwt.encode(claims, stranger, algorithm="RS256", headers=headers)
        assert_error(client.get("/me", headers=bearer(forged)), 401, "invalid_token")


def test_an_hs256_token_signed_with_the_public_key_is_refused(monkeypatch, tmp_path):
    client = app_signing_with(monkeypatch, tmp_path, "RS256").test_client()
    tokens = login(client, "alice")
    claims = pyjwt.decode(tokens["access_token"], options={"verify_signature": False})
    key = jwks(client)[0]
    public_pem = pyjwt.PyJWK(key).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': key['kid']}).encode())}."
        f"{b64(json.dumps(claims).encode())}"
    )
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    confused = f"{signing_input}.{b64(signature)}"

    assert_error(client.get("/me", headers=bearer(confused)), 401, "invalid_token")


def test_issuer_and_audience_are_set_and_checked(monkeypatch, tmp_path):
    issuer, audience = "https://auth.example", "store-api"
    app = app_signing_with(
        monkeypatch,
        tmp_path,
        "EdDSA",
        JWT_ENCODE_ISSUER=issuer,
        JWT_DECODE_ISSUER=issuer,
        JWT_ENCODE_AUDIENCE=audience,
        JWT_DECODE_AUDIENCE=audience,
    )
    client = app.test_client()
    tokens = login(client, "alice")
    claims = pyjwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (claims["iss"], claims["aud"]) == (issuer, audience)
    assert client.get("/me", headers=bearer(tokens["access_token"])).status_code == 200

    app.config["JWT_DECODE_ISSUER"] = "https://someone.else"
    assert_error(client.get("/me", headers=bearer(tokens["access_token"])), 401, "invalid_token")
    app.config["JWT_DECODE_ISSUER"], app.config["JWT_DECODE_AUDIENCE"] = issuer, "other-api"
    assert_error(client.get("/me", headers=bearer(tokens["access_token"])), 401, "invalid_token")


def introspect(client, token, auth=CLIENT, form=False):
    credential = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    headers = {"Authorization": f"Basic {credential}"}
    if form:
        return client.post("/introspect", data={"token": token}, headers=headers)
    return client.post("/introspect", json={"token": token}, headers=headers)


@pytest.mark.parametrize("algorithm", ["HS256", "RS256"])
def test_introspection_answers_active_until_revoked(monkeypatch, tmp_path, algorithm):
    client = app_signing_with(monkeypatch, tmp_path, algorithm).test_client()
    tokens = login(client, "alice")

    response = introspect(client, tokens["access_token"])

    assert response.status_code == 200
    body = response.json
    assert body["active"] is True
    assert {"sub", "exp", "jti", "sid", "type"} <= set(body)
    assert introspect(client, tokens["refresh_token"], form=True).json["active"] is True
    client.post("/logout", headers=bearer(tokens["access_token"]))
    assert introspect(client, tokens["access_token"]).json == {"active": False}
    assert introspect(client, tokens["refresh_token"]).json == {"active": False}
    assert introspect(client, "not-a-token").json == {"active": False}


def test_introspection_needs_the_client_credential(monkeypatch, tmp_path):
    client = app_signing_with(monkeypatch, tmp_path, "HS256").test_client()
    token = login(client, "alice")["access_token"]

    assert_error(client.post("/introspect", json={"token": token}), 401, "invalid_client")
    assert_error(introspect(client, token, auth=(CLIENT[0], "wrong")), 401, "invalid_client")
    bearer_only = client.post("/introspect", json={"token": token}, headers=bearer(token))
    assert_error(bearer_only, 401, "invalid_client")


def test_introspection_is_closed_when_no_client_is_configured(client, tokens):
    assert_error(introspect(client, tokens["access_token"]), 401, "invalid_client")
