"""Query strings: only the parameters the OpenAPI document names are accepted."""

import pytest

from tests.factories import assert_error


@pytest.mark.parametrize(
    "path",
    ["/item?page_sise=5", "/store?page=1&x=1", "/me?debug=1", "/sessions?all=true"],
)
def test_an_unknown_query_parameter_is_422_and_named(client, auth_headers, path):
    response = client.get(path, headers=auth_headers)

    body = assert_error(response, 422)
    (name,) = set(body["errors"]["query"])
    assert name in path
    assert body["errors"]["query"][name] == ["Unknown field."]


def test_documented_parameters_are_accepted(client, auth_headers, store_id):
    assert client.get("/item?page=1&page_size=5", headers=auth_headers).status_code == 200
    assert client.get(f"/item?store_id={store_id}", headers=auth_headers).status_code == 200
    assert client.get("/store?page=2", headers=auth_headers).status_code == 200


def test_an_unknown_parameter_changes_nothing(client, auth_headers):
    response = client.post("/store?dry_run=1", json={"name": "kept out"}, headers=auth_headers)

    assert_error(response, 422)
    assert client.get("/store", headers=auth_headers).json == []


def test_pages_outside_the_document_keep_their_query(client):
    # The account page's recovery links carry their token in the query string.
    for path in ("/account/reset-password?token=abc", "/swagger-ui?x=1"):
        response = client.get(path)
        response.close()  # a file's response: closed, or its file is left open
        assert response.status_code == 200, path


def test_an_unknown_parameter_before_authentication_is_still_422(client):
    # Refused before any other work, as a body's unknown field would be after parsing.
    assert_error(client.get("/me?x=1"), 422)
