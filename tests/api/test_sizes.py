"""Sizes are checked before normalisation, hashing or any work that grows faster than the
input: one request of any shape costs a few milliseconds of CPU, whatever its body."""

import base64
import json
import time

import pytest

from tests.conftest import make_app
from tests.factories import bearer, login, make_user

# About 0.7 MB of combining accents of two classes: NFC/NFKC reorders them, in seconds.
MARKS = "a" + "\u0316\u0301" * 170_000
# Generous for a loaded CI machine; the unbounded cost was 3 to 5 seconds.
BUDGET_SECONDS = 0.05


@pytest.fixture
def api():
    app = make_app(INTROSPECTION_CLIENT_ID="client", INTROSPECTION_CLIENT_SECRET="s" * 24)
    make_user(app, "alice")
    client = app.test_client()
    headers = bearer(login(client, "alice")["access_token"])
    store = client.post("/store", json={"name": "Shop"}, headers=headers).json["id"]
    return client, headers, store


CASES = [
    ("/login", {"username": MARKS, "password": "x"}),
    ("/login", {"username": "alice", "password": MARKS}),
    ("/register", {"username": MARKS, "password": "a fine long passphrase"}),
    ("/register", {"username": "bob", "password": MARKS}),
    ("/register", {"username": "bob", "password": "a fine passphrase", "email": MARKS}),
    ("/store", {"name": MARKS}),
    ("/store/{store}/tag", {"name": MARKS}),
    ("/item", {"name": MARKS, "price": "1", "store_id": "{store}"}),
    ("/item", {"name": "Chair", "price": "1" * 600_000, "store_id": "{store}"}),
    ("/me/password", {"current_password": MARKS, "new_password": "x"}),
    ("/me/password", {"current_password": "x", "new_password": MARKS}),
    ("/reauthenticate", {"password": MARKS}),
]


@pytest.mark.parametrize(("path", "body"), CASES)
def test_a_huge_field_is_refused_in_milliseconds(api, path, body):
    client, headers, store = api
    body = {k: store if v == "{store}" else v for k, v in body.items()}
    raw = json.dumps(body, ensure_ascii=False).encode()

    started = time.process_time()
    response = client.post(
        path.format(store=store), data=raw, content_type="application/json", headers=headers
    )
    spent = time.process_time() - started

    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert spent < BUDGET_SECONDS, f"{spent * 1000:.0f} ms"


def test_a_huge_token_to_introspect_is_refused_in_milliseconds(api):
    client, _, _ = api
    credential = base64.b64encode(b"client:" + b"s" * 24).decode()

    started = time.process_time()
    response = client.post(
        "/introspect",
        data={"token": "a." * 400_000},
        headers={"Authorization": f"Basic {credential}"},
    )
    spent = time.process_time() - started

    assert response.status_code == 422
    assert spent < BUDGET_SECONDS, f"{spent * 1000:.0f} ms"
