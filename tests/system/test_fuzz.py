"""Fuzzing: schemathesis generates requests from /openapi.json and runs every check it has
(5xx, statuses, schemas, headers, schema-valid data accepted, invalid data refused...),
logged in, with the operations that end the session left out. Bounded so CI stays short."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import select

from extensions import db
from models import User
from tests.factories import bearer, login, make_user

# They end the session whose token the other operations use.
SESSION_ENDING = [
    ("POST", "/logout"),
    ("POST", "/logout/all"),
    ("POST", "/me/password"),
    ("DELETE", "/sessions/{session_id}"),
    ("DELETE", "/user/{user_id}"),
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


# Bodies with rules JSON Schema cannot state (unassigned code points in names, a store
# or tag that must exist, a price's decimal string): a schema-valid body may get a 422
# there, so "schema-valid data is accepted" is not asked of them; every other check is.
INEXPRESSIBLE = {
    ("POST", "/register"),
    ("POST", "/login"),
    ("POST", "/store"),
    ("POST", "/item"),
    ("PUT", "/item/{item_id}"),
    ("POST", "/store/{store_id}/tag"),
    ("POST", "/item/{item_id}/tag/{tag_id}"),
    # Exactly one of two fields; a token that is well formed but no live link's (400).
    ("POST", "/password/forgot"),
    ("POST", "/password/reset"),
    ("POST", "/email/verify"),
    # A code that must be the authenticator's current one (else 400); exactly one of code
    # and recovery_code.
    ("POST", "/me/mfa/totp/confirm"),
    ("POST", "/me/mfa/recovery-codes"),
    ("DELETE", "/me/mfa/totp"),
    ("POST", "/login/mfa"),
}
# Lists ignore query parameters they do not know (webargs' default for the query string),
# which the document cannot state: "schema-violating data is refused" is not asked of them.
IGNORES_UNKNOWN_QUERY = {
    ("GET", "/item"),
    ("GET", "/store"),
    ("GET", "/store/{store_id}/tag"),
}

schema = schemathesis.pytest.from_fixture("api_schema")
for _method, _path in SESSION_ENDING:
    schema = schema.exclude(method=_method, path=_path)


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
    operation = (case.operation.method.upper(), case.operation.path)
    excluded = [positive_data_acceptance] if operation in INEXPRESSIBLE else []
    if operation in IGNORES_UNKNOWN_QUERY:
        excluded.append(negative_data_rejection)
    case.call_and_validate(headers=fresh_admin_token(app), excluded_checks=excluded)
