"""Fuzzing: schemathesis generates requests from /openapi.json; none may get a 5xx or an
answer that breaks the documented schema. Bounded so CI stays short."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from extensions import db
from models import User
from tests.factories import bearer, login, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def fresh_admin_token(app) -> dict[str, str]:
    """A new login for every example: an earlier one may have logged out or deleted it."""
    with app.app_context():
        exists = db.session.scalar(select(User.id).where(User.username_key == "fuzzer"))
    if exists is None:
        make_user(app, "fuzzer", is_admin=True)
    return bearer(login(app.test_client(), "fuzzer")["access_token"])


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_fails_or_breaks_its_schema(case, app):
    case.call_and_validate(headers=fresh_admin_token(app), checks=CHECKS)
