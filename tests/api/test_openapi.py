"""The OpenAPI document: valid, complete, and honest about which operations need a token."""

import pytest
from openapi_spec_validator import validate

PUBLIC = {
    ("post", "/register"),
    ("post", "/login"),
    ("post", "/login/mfa"),
    ("get", "/health"),
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("get", "/"),
    ("get", "/.well-known/jwks.json"),
    ("post", "/password/forgot"),
    ("post", "/password/reset"),
    ("post", "/email/verify"),
    ("post", "/login/passkey/options"),
    ("post", "/login/passkey"),
}
EXPECTED = {
    ("post", "/register"),
    ("post", "/login"),
    ("post", "/refresh"),
    ("post", "/reauthenticate"),
    ("post", "/logout"),
    ("post", "/logout/all"),
    ("get", "/me"),
    ("post", "/me/password"),
    ("get", "/health"),
    ("get", "/health/live"),
    ("get", "/health/ready"),
    ("get", "/"),
    ("get", "/sessions"),
    ("delete", "/sessions/{session_id}"),
    ("get", "/user/{user_id}"),
    ("delete", "/user/{user_id}"),
    ("get", "/store"),
    ("post", "/store"),
    ("get", "/store/{store_id}"),
    ("delete", "/store/{store_id}"),
    ("get", "/item"),
    ("post", "/item"),
    ("get", "/item/{item_id}"),
    ("put", "/item/{item_id}"),
    ("delete", "/item/{item_id}"),
    ("get", "/store/{store_id}/tag"),
    ("post", "/store/{store_id}/tag"),
    ("post", "/item/{item_id}/tag/{tag_id}"),
    ("delete", "/item/{item_id}/tag/{tag_id}"),
    ("get", "/tag/{tag_id}"),
    ("delete", "/tag/{tag_id}"),
    ("get", "/.well-known/jwks.json"),
    ("post", "/introspect"),
    ("post", "/password/forgot"),
    ("post", "/password/reset"),
    ("post", "/email/verify"),
    ("post", "/email/verify/resend"),
    ("post", "/me/email"),
    ("get", "/me/events"),
    ("get", "/admin/users"),
    ("patch", "/admin/users/{user_id}"),
    ("post", "/admin/users/{user_id}/lock"),
    ("post", "/admin/users/{user_id}/unlock"),
    ("post", "/admin/users/{user_id}/logout"),
    ("get", "/admin/events"),
    ("post", "/me/passkeys/options"),
    ("get", "/me/passkeys"),
    ("post", "/me/passkeys"),
    ("delete", "/me/passkeys/{passkey_id}"),
    ("post", "/login/passkey/options"),
    ("post", "/login/passkey"),
    ("post", "/reauthenticate/passkey/options"),
    ("post", "/reauthenticate/passkey"),
    ("post", "/me/mfa/totp"),
    ("delete", "/me/mfa/totp"),
    ("post", "/me/mfa/totp/confirm"),
    ("post", "/me/mfa/recovery-codes"),
    ("post", "/login/mfa"),
}
# Introspection is for services: HTTP Basic with the client credential, not a bearer token.
CLIENT_AUTH = {("post", "/introspect")}


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def test_the_document_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    schemes = spec["components"]["securitySchemes"]
    for name in ("bearerAuth", "refreshAuth"):
        assert schemes[name]["scheme"] == "bearer" and schemes[name]["bearerFormat"] == "JWT"
    assert "service credential" in schemes["introspectionServiceCredential"]["description"]


def test_the_document_starts_with_how_to_get_and_use_tokens(spec):
    intro = spec["info"]["description"]
    for step in ("POST /register", "POST /login", "Authorize", "fresh", "token_revoked"):
        assert step in intro


def test_every_operation_is_documented(spec):
    assert {(method, path) for method, path, _ in operations(spec)} == EXPECTED


def test_protected_operations_name_the_bearer_scheme_and_their_401(spec):
    for method, path, operation in operations(spec):
        if (method, path) in PUBLIC:
            assert "security" not in operation, (method, path)
        elif (method, path) in CLIENT_AUTH:
            assert operation["security"] == [{"introspectionServiceCredential": []}]
            assert "401" in operation["responses"]
        else:
            scheme = "refreshAuth" if path == "/refresh" else "bearerAuth"
            assert operation.get("security") == [{scheme: []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_every_operation_has_a_summary_and_its_error_responses(spec):
    for method, path, operation in operations(spec):
        assert operation.get("summary"), (method, path)
        if method in ("post", "put") and "requestBody" in operation:
            assert "422" in operation["responses"], (method, path)
        if "{" in path:
            assert "404" in operation["responses"] or path.startswith("/sessions"), (method, path)


def test_swagger_ui_is_served_with_local_assets(client):
    page = client.get("/swagger-ui")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/swagger-ui-assets/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        response = client.get(f"/swagger-ui-assets/{asset}")
        assert response.status_code == 200
        response.close()


def test_each_error_status_shows_the_codes_it_really_carries(spec, client):
    responses = spec["components"]["responses"]
    unauthorized = responses["UNAUTHORIZED"]["content"]["application/json"]["examples"]
    conflict = responses["CONFLICT"]["content"]["application/json"]["examples"]

    assert {example["value"]["error"] for example in unauthorized.values()} >= {
        "authorization_required", "invalid_token", "token_revoked", "invalid_credentials"
    }  # fmt: skip
    assert {example["value"].get("error") for example in conflict.values()} >= {
        "username_taken", "email_taken"
    }  # fmt: skip
    assert client.get("/me").json == unauthorized["authorization_required"]["value"]
