"""Tags: per store, linked to that store's items."""

from tests.factories import assert_error


def test_creating_a_tag_answers_201_with_its_store(client, auth_headers, store_id):
    response = client.post(f"/store/{store_id}/tag", json={"name": "wood"}, headers=auth_headers)

    assert response.status_code == 201
    assert response.json["name"] == "wood"
    assert response.json["store"] == {"id": store_id, "name": "Corner shop"}
    assert response.json["items"] == []


def test_tag_names_are_unique_within_a_store_only(client, auth_headers, store_id, tag_id):
    other = client.post("/store", json={"name": "Other"}, headers=auth_headers).json["id"]

    assert_error(
        client.post(f"/store/{store_id}/tag", json={"name": "wood"}, headers=auth_headers), 409
    )
    assert (
        client.post(f"/store/{other}/tag", json={"name": "wood"}, headers=auth_headers).status_code
        == 201
    )


def test_tags_of_a_store_are_listed(client, auth_headers, store_id, tag_id):
    response = client.get(f"/store/{store_id}/tag", headers=auth_headers)

    assert [tag["id"] for tag in response.json] == [tag_id]
    assert "X-Pagination" in response.headers
    assert_error(client.get("/store/999/tag", headers=auth_headers), 404)
    assert_error(client.post("/store/999/tag", json={"name": "x"}, headers=auth_headers), 404)


def test_a_bad_tag_body_is_422(client, auth_headers, store_id):
    for body in ({}, {"name": ""}, {"name": 1}, {"name": "a", "store_id": store_id}):
        assert_error(client.post(f"/store/{store_id}/tag", json=body, headers=auth_headers), 422)


def test_linking_and_unlinking_a_tag(client, auth_headers, item_id, tag_id):
    linked = client.post(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers)

    assert linked.status_code == 201
    assert linked.json["items"] == [{"id": item_id, "name": "Chair", "price": "19.99"}]
    assert client.get(f"/item/{item_id}", headers=auth_headers).json["tags"] == [
        {"id": tag_id, "name": "wood"}
    ]
    assert_error(client.post(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers), 409)

    unlinked = client.delete(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers)

    assert unlinked.status_code == 200
    assert unlinked.json["message"]
    assert unlinked.json["item"]["tags"] == []
    assert_error(client.delete(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers), 404)


def test_a_tag_of_another_store_cannot_be_linked(client, auth_headers, item_id):
    other = client.post("/store", json={"name": "Other"}, headers=auth_headers).json["id"]
    foreign = client.post(f"/store/{other}/tag", json={"name": "x"}, headers=auth_headers).json[
        "id"
    ]

    assert_error(client.post(f"/item/{item_id}/tag/{foreign}", headers=auth_headers), 422)


def test_linking_unknown_items_or_tags_is_404(client, auth_headers, item_id, tag_id):
    assert_error(client.post(f"/item/999/tag/{tag_id}", headers=auth_headers), 404)
    assert_error(client.post(f"/item/{item_id}/tag/999", headers=auth_headers), 404)
    assert_error(client.delete(f"/item/999/tag/{tag_id}", headers=auth_headers), 404)


def test_a_tag_still_linked_is_not_deleted(client, auth_headers, admin_headers, item_id, tag_id):
    client.post(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers)

    assert_error(client.delete(f"/tag/{tag_id}", headers=admin_headers), 409)
    client.delete(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers)
    assert_error(client.delete(f"/tag/{tag_id}", headers=auth_headers), 403)
    assert client.delete(f"/tag/{tag_id}", headers=admin_headers).status_code == 200
    assert_error(client.get(f"/tag/{tag_id}", headers=auth_headers), 404)
    assert_error(client.delete(f"/tag/{tag_id}", headers=admin_headers), 404)


def test_a_tag_shows_its_store_and_items(client, auth_headers, store_id, item_id, tag_id):
    client.post(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers)

    response = client.get(f"/tag/{tag_id}", headers=auth_headers)

    assert response.json["store"]["id"] == store_id
    assert [item["id"] for item in response.json["items"]] == [item_id]
