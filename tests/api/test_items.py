"""GET|POST /item and GET|PUT|DELETE /item/<id>."""

import json

import pytest

from tests.factories import assert_error, bearer, count_queries


def test_creating_an_item_answers_201_with_its_store(client, auth_headers, store_id):
    body = {"name": "Chair", "price": 19.5, "store_id": store_id}

    response = client.post("/item", json=body, headers=auth_headers)

    assert response.status_code == 201
    assert response.json == {
        "id": 1,
        "name": "Chair",
        "price": "19.50",
        "store": {"id": store_id, "name": "Corner shop"},
        "tags": [],
    }


def test_creating_an_item_needs_a_fresh_token(client, tokens, store_id):
    refreshed = client.post("/refresh", headers=bearer(tokens["refresh_token"])).json
    body = {"name": "Chair", "price": "1.00", "store_id": store_id}

    response = client.post("/item", json=body, headers=bearer(refreshed["access_token"]))

    assert_error(response, 401, "fresh_token_required")


@pytest.mark.parametrize(
    "change",
    [
        {"price": "-0.01"},
        {"price": "abc"},
        {"price": "NaN"},
        {"price": "Infinity"},
        {"price": "1e400"},
        {"price": None},
        {"name": ""},
        {"store_id": "1"},
        {"store_id": None},
        {"extra": 1},
    ],
)
def test_a_bad_item_body_is_422(client, auth_headers, store_id, change):
    body = {"name": "Chair", "price": "1.00", "store_id": store_id} | change

    assert_error(client.post("/item", json=body, headers=auth_headers), 422)


def test_an_item_in_an_unknown_store_is_422(client, auth_headers):
    body = {"name": "Chair", "price": "1.00", "store_id": 999}

    response = assert_error(client.post("/item", json=body, headers=auth_headers), 422)

    assert "store_id" in response["errors"]["json"]


def test_put_replaces_the_name_and_the_price(client, auth_headers, item_id):
    response = client.put(
        f"/item/{item_id}", json={"name": "Stool", "price": "5"}, headers=auth_headers
    )

    assert response.status_code == 200
    assert (response.json["name"], response.json["price"]) == ("Stool", "5.00")
    assert client.get(f"/item/{item_id}", headers=auth_headers).json["name"] == "Stool"


@pytest.mark.parametrize(
    "body", [{"name": "Stool"}, {"price": "5"}, {}, [], {"name": "S", "price": "1", "store_id": 1}]
)
def test_a_partial_put_is_422_and_changes_nothing(client, auth_headers, item_id, body):
    assert_error(client.put(f"/item/{item_id}", json=body, headers=auth_headers), 422)

    assert client.get(f"/item/{item_id}", headers=auth_headers).json["name"] == "Chair"


def test_an_unknown_item_is_404(client, auth_headers, admin_headers):
    assert_error(client.get("/item/999", headers=auth_headers), 404)
    assert_error(
        client.put("/item/999", json={"name": "a", "price": "1"}, headers=auth_headers), 404
    )
    assert_error(client.delete("/item/999", headers=admin_headers), 404)


def test_deleting_an_item_needs_an_admin(client, auth_headers, admin_headers, item_id, tag_id):
    client.post(f"/item/{item_id}/tag/{tag_id}", headers=auth_headers)

    assert_error(client.delete(f"/item/{item_id}", headers=auth_headers), 403)
    response = client.delete(f"/item/{item_id}", headers=admin_headers)

    assert response.status_code == 200
    assert_error(client.get(f"/item/{item_id}", headers=auth_headers), 404)
    assert client.get(f"/tag/{tag_id}", headers=auth_headers).json["items"] == []


def test_items_can_be_filtered_by_store(client, auth_headers, store_id, item_id):
    other = client.post("/store", json={"name": "Other"}, headers=auth_headers).json["id"]
    client.post(
        "/item", json={"name": "Lamp", "price": "3", "store_id": other}, headers=auth_headers
    )

    response = client.get(f"/item?store_id={other}", headers=auth_headers)

    assert [item["name"] for item in response.json] == ["Lamp"]
    assert len(client.get("/item", headers=auth_headers).json) == 2


def test_listing_items_costs_the_same_queries_whatever_the_page_size(app, client, auth_headers):
    stores = [
        client.post("/store", json={"name": f"s{n}"}, headers=auth_headers).json["id"]
        for n in range(5)
    ]
    for n in range(50):
        store = stores[n % 5]
        item = client.post(
            "/item", json={"name": f"i{n}", "price": "1", "store_id": store}, headers=auth_headers
        ).json["id"]
        tag = client.post(f"/store/{store}/tag", json={"name": f"t{n}"}, headers=auth_headers).json[
            "id"
        ]
        client.post(f"/item/{item}/tag/{tag}", headers=auth_headers)

    small = count_queries(app, client, "/item?page_size=2", auth_headers)
    large = count_queries(app, client, "/item?page_size=50", auth_headers)

    assert small == large
    assert large == 2  # the token check; the page with its count, stores and tags


def test_the_listing_answers_what_each_item_answers(client, auth_headers, store_id):
    # The listing writes its JSON itself; GET /item/<id> goes through ItemSchema.
    other = client.post("/store", json={"name": 'Ünïcode "shop"'}, headers=auth_headers)
    ids = []
    for n, (price, store) in enumerate(
        [("0", store_id), ("1234.5", other.json["id"]), ("99999999.99", store_id), (7, store_id)]
    ):
        body = {"name": f"item {n}", "price": price, "store_id": store}
        ids.append(client.post("/item", json=body, headers=auth_headers).json["id"])
    tags = [
        client.post(f"/store/{store_id}/tag", json={"name": name}, headers=auth_headers).json["id"]
        for name in ("b", "a")
    ]
    for tag in tags:
        client.post(f"/item/{ids[0]}/tag/{tag}", headers=auth_headers)
    client.post(f"/item/{ids[2]}/tag/{tags[1]}", headers=auth_headers)

    listing = client.get("/item?page_size=3&page=1", headers=auth_headers)
    rest = client.get("/item?page_size=3&page=2", headers=auth_headers)

    one_by_one = [client.get(f"/item/{id_}", headers=auth_headers).json for id_ in ids]
    assert listing.json + rest.json == one_by_one
    assert [tag["name"] for tag in listing.json[0]["tags"]] == ["b", "a"]  # by tag id
    assert listing.headers["X-Pagination"] == (
        '{"total": 4, "total_pages": 2, "first_page": 1, "last_page": 2, "page": 1, "next_page": 2}'
    )
    assert json.loads(rest.headers["X-Pagination"])["previous_page"] == 1


@pytest.mark.parametrize(
    "price", ["19.999", "0.005", "1_000", "١٩.٩٩", "１９.９９", " 19.99", "19.", 19.999, True]
)
def test_a_price_that_would_be_rounded_or_read_loosely_is_422(
    client, auth_headers, store_id, item_id, price
):
    body = {"name": "Chair", "price": price, "store_id": store_id}

    created = assert_error(client.post("/item", json=body, headers=auth_headers), 422)
    replaced = client.put(
        f"/item/{item_id}", json={"name": "Chair", "price": price}, headers=auth_headers
    )

    assert "two places" in created["errors"]["json"]["price"][0]
    assert_error(replaced, 422)
    assert client.get(f"/item/{item_id}", headers=auth_headers).json["price"] == "19.99"


@pytest.mark.parametrize("price", ["19.99", "19.9", "0", 7, 19.99])
def test_a_price_with_at_most_two_places_is_stored_as_given(client, auth_headers, store_id, price):
    body = {"name": "Chair", "price": price, "store_id": store_id}

    response = client.post("/item", json=body, headers=auth_headers)

    assert response.status_code == 201, response.json
    assert response.json["price"] == f"{float(price):.2f}"
