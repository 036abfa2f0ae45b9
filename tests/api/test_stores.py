"""GET|POST /store and GET|DELETE /store/<id>."""

import pytest

from tests.factories import assert_error, bearer, login, make_user


def test_creating_a_store_answers_201_with_it(client, auth_headers):
    response = client.post("/store", json={"name": "  Corner shop "}, headers=auth_headers)

    assert response.status_code == 201
    assert response.json == {"id": 1, "name": "Corner shop", "items": [], "tags": [], "owner_id": 1}


def test_store_names_are_unique(client, auth_headers, store_id):
    response = client.post("/store", json={"name": "Corner shop"}, headers=auth_headers)

    assert_error(response, 409)


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": 5}, {"name": "x" * 81}, {"name": "a", "id": 3}]
)
def test_a_bad_store_body_is_422(client, auth_headers, body):
    assert_error(client.post("/store", json=body, headers=auth_headers), 422)


def test_a_store_shows_its_items_and_tags(client, auth_headers, store_id, item_id, tag_id):
    response = client.get(f"/store/{store_id}", headers=auth_headers)

    assert response.status_code == 200
    assert response.json["items"] == [{"id": item_id, "name": "Chair", "price": "19.99"}]
    assert response.json["tags"] == [{"id": tag_id, "name": "wood"}]


def test_stores_are_listed_a_page_at_a_time(client, auth_headers):
    for n in range(25):
        client.post("/store", json={"name": f"store {n:02}"}, headers=auth_headers)

    first = client.get("/store", headers=auth_headers)
    last = client.get("/store?page=2&page_size=20", headers=auth_headers)

    assert len(first.json) == 20
    assert len(last.json) == 5
    assert '"total": 25' in first.headers["X-Pagination"]
    assert_error(client.get("/store?page_size=1000", headers=auth_headers), 422)
    assert_error(client.get("/store?page=0", headers=auth_headers), 422)


def test_an_unknown_store_is_404(client, auth_headers, admin_headers):
    assert_error(client.get("/store/999", headers=auth_headers), 404)
    assert_error(client.delete("/store/999", headers=admin_headers), 404)


def test_deleting_a_store_needs_an_admin(client, auth_headers, store_id):
    assert_error(client.delete(f"/store/{store_id}", headers=auth_headers), 403)
    assert client.get(f"/store/{store_id}", headers=auth_headers).status_code == 200


def test_deleting_a_store_deletes_its_items_and_linked_tags(
    client, auth_headers, admin_headers, store_id, item_id, tag_id
):
    client.post(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers)

    response = client.delete(f"/store/{store_id}", headers=admin_headers)

    assert response.status_code == 200
    assert "message" in response.json
    assert_error(client.get(f"/item/{item_id}", headers=auth_headers), 404)
    assert_error(client.get(f"/tag/{tag_id}", headers=auth_headers), 404)
    assert (
        client.post("/store", json={"name": "Corner shop"}, headers=auth_headers).status_code == 201
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/store"),
        ("post", "/store"),
        ("get", "/store/1"),
        ("delete", "/store/1"),
        ("get", "/item"),
        ("post", "/item"),
        ("get", "/item/1"),
        ("put", "/item/1"),
        ("delete", "/item/1"),
        ("get", "/store/1/tag"),
        ("post", "/store/1/tag"),
        ("post", "/item/1/tag/1"),
        ("delete", "/item/1/tag/1"),
        ("get", "/tag/1"),
        ("delete", "/tag/1"),
    ],
)
def test_every_resource_needs_an_access_token(client, tokens, method, path):
    assert_error(getattr(client, method)(path, json={}), 401, "authorization_required")
    refresh = bearer(tokens["refresh_token"])
    assert_error(getattr(client, method)(path, json={}, headers=refresh), 401, "invalid_token")


@pytest.fixture
def bob_headers(app, client):
    make_user(app, "bob")
    return bearer(login(client, "bob")["access_token"])


def test_only_the_owner_or_an_admin_changes_a_stores_items_and_tags(
    client, store_id, item_id, tag_id, bob_headers, admin_headers
):
    attempts = {
        "create an item": lambda h: client.post(
            "/item", json={"name": "Stool", "price": "1", "store_id": store_id}, headers=h
        ),
        "replace an item": lambda h: client.put(
            f"/item/{item_id}", json={"name": "Renamed", "price": "0.01"}, headers=h
        ),
        "create a tag": lambda h: client.post(
            f"/store/{store_id}/tag", json={"name": "cheap"}, headers=h
        ),
        "link a tag": lambda h: client.post(f"/item/{item_id}/tag/{tag_id}", headers=h),
    }

    for what, attempt in attempts.items():
        assert attempt(bob_headers).status_code == 403, what
    store = client.get(f"/store/{store_id}", headers=bob_headers).json  # reading stays open
    assert [(i["name"], i["price"]) for i in store["items"]] == [("Chair", "19.99")]
    assert [t["name"] for t in store["tags"]] == ["wood"]
    for what, attempt in attempts.items():
        assert attempt(admin_headers).status_code in (200, 201), what
    assert_error(client.delete(f"/item/{item_id}/tag/{tag_id}", headers=bob_headers), 403)
    assert client.delete(f"/item/{item_id}/tag/{tag_id}", headers=admin_headers).status_code == 200


def test_a_store_whose_owner_is_gone_is_left_to_admins(
    app, client, tokens, store_id, item_id, bob_headers, admin_headers
):
    body = {"name": "Chair", "price": "5.00"}
    client.delete("/user/1", headers=bearer(tokens["access_token"]))

    assert client.get(f"/store/{store_id}", headers=admin_headers).json["owner_id"] is None
    assert_error(client.put(f"/item/{item_id}", json=body, headers=bob_headers), 403)
    assert client.put(f"/item/{item_id}", json=body, headers=admin_headers).status_code == 200


def test_the_openapi_document_says_who_may_change_a_store(client):
    paths = client.get("/openapi.json").json["paths"]

    for path, method in [
        ("/item", "post"),
        ("/item/{item_id}", "put"),
        ("/store/{store_id}/tag", "post"),
        ("/item/{item_id}/tag/{tag_id}", "post"),
        ("/item/{item_id}/tag/{tag_id}", "delete"),
    ]:
        operation = paths[path][method]
        assert "403" in operation["responses"], (path, method)
        assert "owner or an admin" in operation["summary"], (path, method)
