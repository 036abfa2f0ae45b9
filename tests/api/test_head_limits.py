"""The app's own request-head limits (web/limits.py), at their exact boundaries: what is
counted is what werkzeug lists as the request's headers."""

import pytest
from flask import request

from tests.factories import assert_error
from web.limits import MAX_HEADER_BYTES, MAX_HEADER_FIELDS, MAX_TARGET_BYTES


def fields_sent(client, headers: dict[str, str], data: str | None = None) -> list[tuple[str, str]]:
    """What werkzeug lists for the client's request with `headers` (and a body), as the
    limit must count it: the test client adds its own, User-Agent and Content-Length."""
    environ = client.environ_base
    context = client.application.test_request_context
    with context("/health", headers=headers, data=data, environ_base=environ):
        return list(request.headers.items())


def padded(client, total: int, data: str | None = None, **given: str) -> dict[str, str]:
    """`given` plus one X-Pad header sized so that names and values add up to `total`."""
    sent = fields_sent(client, {**given, "X-Pad": ""}, data)
    base = sum(len(n) + len(v) for n, v in sent)
    return {**given, "X-Pad": "p" * (total - base)}


def extra_fields(client, total: int) -> dict[str, str]:
    base = len(fields_sent(client, {}))
    return {f"X-Field-{n}": "v" for n in range(total - base)}


def test_the_header_size_limit_is_exact(client):
    at_limit = client.get("/health", headers=padded(client, MAX_HEADER_BYTES))
    over = client.get("/health", headers=padded(client, MAX_HEADER_BYTES + 1))

    assert at_limit.status_code == 200
    assert_error(over, 431)


def test_the_field_count_limit_is_exact(client):
    at_limit = client.get("/health", headers=extra_fields(client, MAX_HEADER_FIELDS))
    over = client.get("/health", headers=extra_fields(client, MAX_HEADER_FIELDS + 1))

    assert at_limit.status_code == 200
    assert_error(over, 431)


def test_content_type_and_length_count_like_any_header(client):
    body = {"Content-Type": "application/json"}
    at_limit = padded(client, MAX_HEADER_BYTES, "{}", **body)
    over = padded(client, MAX_HEADER_BYTES + 1, "{}", **body)

    assert client.post("/health", data="{}", headers=at_limit).status_code == 405
    assert_error(client.post("/health", data="{}", headers=over), 431)


@pytest.mark.parametrize("extra", [0, 1])
def test_the_request_target_limit_is_exact(client, extra):
    path = "/nowhere/"
    query = "q=" + "a" * (MAX_TARGET_BYTES - len(path) - 2 + extra)

    response = client.get(f"{path}?{query}")

    assert_error(response, 414 if extra else 404)
