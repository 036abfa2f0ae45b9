"""Every input of every operation, by kind: what a schema loads from a body or a query
string, and what a path carries. A kind of field that once let something through (a
lenient Boolean, a datetime that overflows in UTC, a NUL in a query) is checked for every
operation here, so that a new endpoint cannot bring the fault back."""

import re
from collections.abc import Iterator

import pytest
from marshmallow import Schema, fields

from schemas.fields import Instant, StrictBoolean, TrimmedString
from schemas.key import IntrospectionRequestSchema
from web.converters import IdConverter


def _parameters(app) -> Iterator[tuple[str, str, Schema]]:
    """(operation, location, schema) of every schema an operation loads."""
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            function = getattr(view_class, method.lower(), None)
            for parameter in (
                getattr(function, "_apidoc", {}).get("arguments", {}).get("parameters", [])
            ):
                schema = parameter["schema"]
                yield (
                    f"{method} {rule}",
                    parameter["in"],
                    schema() if isinstance(schema, type) else schema,
                )
    # Loaded by the parser directly (a form or a JSON body).
    yield "POST /introspect", "json_or_form", IntrospectionRequestSchema()


def _loaded(schema: Schema, prefix: str = "") -> Iterator[tuple[str, fields.Field]]:
    for name, field in schema.load_fields.items():
        yield from _inner(f"{prefix}{name}", field)


def _inner(name: str, field: fields.Field) -> Iterator[tuple[str, fields.Field]]:
    yield name, field
    if isinstance(field, fields.Nested):
        yield from _loaded(field.schema, f"{name}.")
    elif isinstance(field, fields.List):
        yield from _inner(f"{name}[]", field.inner)
    elif isinstance(field, fields.Dict) and field.value_field is not None:
        yield from _inner(f"{name}{{}}", field.value_field)


def _fields(app, kind: type[fields.Field], location: str | None = None) -> list[tuple]:
    found = [
        (operation, name, field)
        for operation, where, schema in _parameters(app)
        if location is None or where == location
        for name, field in _loaded(schema)
        if isinstance(field, kind)
    ]
    assert found or location is not None, kind
    return found


def test_every_loaded_boolean_is_json_true_or_false_only(app):
    lenient = [
        (operation, name)
        for operation, name, field in _fields(app, fields.Boolean)
        if not isinstance(field, StrictBoolean)
    ]

    assert lenient == []


def test_every_loaded_datetime_is_refused_when_it_overflows_in_utc(app):
    unchecked = [
        (operation, name)
        for operation, name, field in _fields(app, fields.DateTime)
        if not isinstance(field, Instant)
    ]

    assert unchecked == []


def test_every_text_in_a_query_string_refuses_control_characters(app):
    unchecked = [
        (operation, name)
        for operation, name, field in _fields(app, fields.String, "query")
        if not isinstance(field, TrimmedString)
    ]

    assert _fields(app, fields.String, "query")
    assert unchecked == []


def test_a_nul_in_any_path_parameter_that_is_not_an_id_is_a_404(app, client, auth_headers):
    # Ids are integers (IdConverter); any other path text (a session id, a file name) is
    # a 404 for a NUL or a control character, never a 500 from the driver or the disk.
    texts = [
        rule
        for rule in app.url_map.iter_rules()
        if any(not isinstance(c, IdConverter) for c in rule._converters.values())
    ]
    assert "/sessions/<string:session_id>" in {str(rule) for rule in texts}

    for rule in texts:
        for value in ("%00", "a%00b", "%1b"):
            path = re.sub(r"<[^>]*>", value, str(rule))
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            response = client.open(path, method=method, headers=auth_headers)
            assert response.status_code == 404, (method, path, response.json)
            assert response.json["code"] == 404


@pytest.mark.parametrize("value", ["yes", "on", "1", 1, "TRUE", None, [], {}])
def test_a_strict_boolean_refuses_anything_but_true_and_false(value):
    from marshmallow import ValidationError

    field = StrictBoolean()

    with pytest.raises(ValidationError):
        field.deserialize(value)
    assert field.deserialize(True) is True and field.deserialize(False) is False
