"""Forged, expired, mistyped and foreign tokens are all refused with 401: each test runs
with the verified-token cache (auth/token_cache.py) on and off."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import jwt as pyjwt
import pytest

from tests.conftest import TEST_SECRET, make_app
from tests.factories import assert_error, bearer, login


@pytest.fixture(params=[2048, 0], ids=["cache-on", "cache-off"])
def app(request):
    return make_app(VERIFIED_TOKENS_REMEMBERED=request.param)


def claims_of(token: str) -> dict:
    return pyjwt.decode(token, TEST_SECRET, algorithms=["HS256"])


def header_of(token: str) -> dict:
    """The token's header less `alg` (PyJWT would let it override the signing algorithm)."""
    return {k: v for k, v in pyjwt.get_unverified_header(token).items() if k != "alg"}


def forge(claims: dict, key: str = TEST_SECRET, algorithm: str = "HS256", headers=None) -> str:
    return pyjwt.encode(claims, key, algorithm=algorithm, headers=headers)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(claims: dict, alg: str = "none") -> str:
    return f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(claims)}."


def get_me(client, token):
    return client.get("/me", headers=bearer(token))


def test_an_access_token_carries_the_documented_claims(tokens):
    access, refresh = claims_of(tokens["access_token"]), claims_of(tokens["refresh_token"])

    for claim in ("sub", "iat", "nbf", "exp", "jti", "type", "fresh", "sid"):
        assert claim in access
    assert access["type"] == "access" and access["fresh"] is True
    assert access["sub"] == "1" and access["is_admin"] is False
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["type"] == "refresh" and refresh["sid"] == access["sid"]
    assert refresh["exp"] - refresh["iat"] == 30 * 24 * 3600
    assert "is_admin" not in refresh
    assert pyjwt.get_unverified_header(tokens["access_token"])["alg"] == "HS256"
    assert "kid" in header_of(tokens["access_token"])


def test_refreshed_tokens_keep_the_session_id(client, tokens):
    new = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json

    assert claims_of(new["access_token"])["sid"] == claims_of(tokens["access_token"])["sid"]
    assert claims_of(new["access_token"])["fresh"] is False


def test_an_expired_token_is_401_token_expired(client, tokens):
    claims = claims_of(tokens["access_token"]) | {"exp": int(time.time()) - 10}
    token = forge(claims, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "token_expired")


def test_a_token_expires_with_its_configured_lifetime(client, user_id):
    # Minted already expired: its lifetime is the configured one, ten seconds in the past.
    client.application.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(seconds=-10)
    token = login(client, "alice")["access_token"]

    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] == claims["iat"] - 10
    assert_error(get_me(client, token), 401, "token_expired")


def test_a_remembered_token_still_expires(monkeypatch):
    from tests.factories import make_user

    app = make_app(VERIFIED_TOKENS_REMEMBERED=2048, JWT_ACCESS_TOKEN_EXPIRES=60)
    make_user(app, "alice")
    client = app.test_client()
    token = login(client, "alice")["access_token"]
    assert get_me(client, token).status_code == 200  # verified, and remembered
    now = time.time()

    monkeypatch.setattr(time, "time", lambda: now + 61)  # a minute later, for this process

    assert_error(get_me(client, token), 401, "token_expired")


def test_a_remembered_token_is_still_checked_for_revocation(client, tokens):
    assert get_me(client, tokens["access_token"]).status_code == 200
    client.post("/logout", headers=bearer(tokens["access_token"]))

    assert_error(get_me(client, tokens["access_token"]), 401, "token_revoked")


def test_a_remembered_token_with_another_signature_is_invalid(client, tokens):
    assert get_me(client, tokens["access_token"]).status_code == 200
    claims = claims_of(tokens["access_token"])
    other_key = "another-secret-also-long-enough-for-hs256!!"
    token = forge(claims, key=other_key, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "invalid_token")
    assert get_me(client, tokens["access_token"]).status_code == 200


def test_workers_remember_a_bounded_number_of_tokens():
    from tests.factories import make_user

    app = make_app(VERIFIED_TOKENS_REMEMBERED=2)
    make_user(app, "alice")
    client = app.test_client()
    tokens = [login(client, "alice")["access_token"] for _ in range(4)]
    for token in tokens + tokens:
        assert get_me(client, token).status_code == 200

    assert len(app.extensions["verified_tokens"]) == 2


def test_a_token_signed_with_another_key_is_invalid(client, tokens):
    claims = claims_of(tokens["access_token"])
    other_key = "another-secret-also-long-enough-for-hs256!!"
    token = forge(claims, key=other_key, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "invalid_token")


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_in_any_spelling_is_invalid(client, tokens, alg):
    token = unsigned(claims_of(tokens["access_token"]), alg)

    assert_error(get_me(client, token), 401, "invalid_token")


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_another_hmac_algorithm_is_invalid(client, tokens, alg):
    # Signed by hand: PyJWT itself refuses a 53-byte key for HS512.
    header = {"alg": alg, "typ": "JWT", **header_of(tokens["access_token"])}
    signing_input = f"{b64(header)}.{b64(claims_of(tokens['access_token']))}".encode()
    digest = hashlib.sha384 if alg == "HS384" else hashlib.sha512
    signature = hmac.new(TEST_SECRET.encode(), signing_input, digest).digest()
    token = f"{signing_input.decode()}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    assert_error(get_me(client, token), 401, "invalid_token")


@pytest.mark.parametrize(
    "extra",
    [
        {"jwk": {"kty": "oct", "k": "c2VjcmV0"}},
        {"jku": "http://127.0.0.1:1/jwks.json"},
        {"x5u": "http://127.0.0.1:1/cert.pem"},
        {"x5c": ["MIIB"]},
    ],
)
def test_embedded_key_headers_are_invalid(client, tokens, extra):
    headers = header_of(tokens["access_token"]) | extra
    token = forge(claims_of(tokens["access_token"]), headers=headers)

    assert_error(get_me(client, token), 401, "invalid_token")


@pytest.mark.parametrize("kid", ["unknown", None])
def test_an_unknown_or_missing_kid_is_invalid(client, tokens, kid):
    headers = {"kid": kid} if kid else {}
    token = forge(claims_of(tokens["access_token"]), headers=headers)

    assert_error(get_me(client, token), 401, "invalid_token")


@pytest.mark.parametrize("claim", ["exp", "jti", "sid", "sub", "type", "iat"])
def test_a_token_missing_a_claim_is_invalid(client, tokens, claim):
    claims = claims_of(tokens["access_token"])
    del claims[claim]
    token = forge(claims, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "invalid_token")


def test_a_token_not_valid_yet_is_invalid(client, tokens):
    claims = claims_of(tokens["access_token"]) | {"nbf": int(time.time()) + 3600}
    token = forge(claims, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "invalid_token")


def test_a_valid_token_for_a_user_that_does_not_exist_is_refused(client, tokens):
    claims = claims_of(tokens["access_token"]) | {"sub": "999", "jti": str(uuid.uuid4())}
    token = forge(claims, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "user_not_found")


@pytest.mark.parametrize("sub", [1, "abc", "-1", ""])
def test_a_malformed_subject_is_invalid(client, tokens, sub):
    claims = claims_of(tokens["access_token"]) | {"sub": sub}
    token = forge(claims, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "invalid_token")


def test_a_token_for_an_unknown_session_is_revoked(client, tokens):
    claims = claims_of(tokens["access_token"]) | {"sid": str(uuid.uuid4())}
    token = forge(claims, headers=header_of(tokens["access_token"]))

    assert_error(get_me(client, token), 401, "token_revoked")


def test_a_refresh_token_is_not_an_access_token(client, tokens):
    assert_error(get_me(client, tokens["refresh_token"]), 401, "invalid_token")


def test_an_access_token_is_not_a_refresh_token(client, tokens):
    response = client.post("/refresh", headers=bearer(tokens["access_token"]))

    assert_error(response, 401, "invalid_token")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Token abc", "Bearer not.a.jwt", "Bearer a.b", "Basic YWxpY2U6cHc="],
)
def test_malformed_authorization_headers_are_401(client, header):
    response = client.get("/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json["error"] in ("authorization_required", "invalid_token")


def test_tokens_are_never_read_from_a_query_string_or_a_body(client, tokens):
    token = tokens["access_token"]

    # No operation takes a token (or any undocumented parameter) in its query string.
    for name in ("jwt", "access_token"):
        refused = assert_error(client.get(f"/me?{name}={token}"), 422)
        assert token not in str(refused)
    body = {"access_token": token, "refresh_token": tokens["refresh_token"]}
    assert_error(client.post("/logout", json=body), 401, "authorization_required")
    assert_error(client.post("/refresh", json=body), 401, "authorization_required")


@pytest.mark.parametrize(
    "change",
    [
        {"exp": "1893456000"},  # a NumericDate is a JSON number (RFC 7519 §2), never a string
        {"exp": True},
        {"exp": 1e300},
        {"exp": -1},
        {"iat": "1700000000"},
        {"nbf": "1700000000"},
        {"nbf": [1]},
        {"fresh": "yes"},
        {"sid": 5},
        {"jti": {"a": 1}},
        {"sub": 1},
        {"type": ["access"]},
    ],
)
def test_a_signed_claim_of_the_wrong_type_or_range_is_invalid_every_time(app, tokens, change):
    client = app.test_client()
    token = forge(
        claims_of(tokens["access_token"]) | change, headers=header_of(tokens["access_token"])
    )
    introspecting = make_app(INTROSPECTION_CLIENT_ID="client", INTROSPECTION_CLIENT_SECRET="s" * 24)
    credential = base64.b64encode(b"client:" + b"s" * 24).decode()

    answers = [get_me(client, token) for _ in range(3)]
    introspection = introspecting.test_client().post(
        "/introspect", data={"token": token}, headers={"Authorization": f"Basic {credential}"}
    )

    for response in answers:
        assert_error(response, 401, "invalid_token")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert (introspection.status_code, introspection.json) == (200, {"active": False})


def test_a_request_sees_its_tokens_header_as_signed_when_seen_again_too(app, client, tokens):
    from flask_jwt_extended import get_jwt_header, verify_jwt_in_request

    token = tokens["access_token"]
    for _ in range(2):  # the second time, with the cache on, from the cache
        with app.test_request_context(headers=bearer(token)):
            verify_jwt_in_request()
            header = get_jwt_header()

        assert header == pyjwt.get_unverified_header(token)
        cache = app.extensions.get("verified_tokens")
        assert cache is None or cache.get(token) is not None  # on: answered from it
