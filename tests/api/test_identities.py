"""One canonical-identifier rule (PRECIS UsernameCaseMapped and a TS #39 skeleton) for
the API, the CLI and the throttle: names that render alike are one account's."""

import pytest

from tests.conftest import make_app
from tests.factories import PASSWORD, assert_error, bearer, login, make_user


def register(client, username: str):
    return client.post("/register", json={"username": username, "password": PASSWORD})


@pytest.mark.parametrize(
    "look_alike",
    [
        "\u0430lice",  # Cyrillic а
        "\u03b1lice",  # Greek α
        "ａｌｉｃｅ",  # fullwidth
        "ALICE",
        "al\u0456c\u0435",  # Cyrillic і and е
        "\u0251lice",  # Latin alpha
    ],
)
def test_a_name_that_renders_like_an_existing_one_is_409(client, user_id, look_alike):
    assert_error(register(client, look_alike), 409)


@pytest.mark.parametrize(
    "invisible",
    [
        "alice\u034f",  # combining grapheme joiner
        "al\u200dice",  # zero width joiner
        "al\u200bice",  # zero width space
        "alice\u00ad",  # soft hyphen
        "ali\u2060ce",  # word joiner
        "al ice",
    ],
)
def test_invisible_or_default_ignorable_characters_are_422(app, client, invisible):
    body = assert_error(register(client, invisible), 422)

    assert "username" in body["errors"]["json"]


def test_the_cli_stores_the_canonical_name_that_the_api_logs_in_with(app):
    runner = app.test_cli_runner()

    created = runner.invoke(args=["users", "create", "ｅｖｅ"], input=PASSWORD + "\n")
    clash = runner.invoke(args=["users", "create", "\u0435ve"], input=PASSWORD + "\n")  # Cyrillic е

    assert created.exit_code == 0, created.output
    assert clash.exit_code != 0
    client = app.test_client()
    assert_error(register(client, "eve"), 409)
    tokens = login(client, "eve")
    assert client.get("/me", headers=bearer(tokens["access_token"])).json["username"] == "eve"


def test_a_name_refused_by_the_rule_is_refused_by_the_cli_too(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "mal\u200dlory"], input=PASSWORD + "\n"
    )

    assert result.exit_code != 0 and "refused" in result.output


def test_guesses_at_a_look_alike_spend_the_real_accounts_budget():
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ADDRESS="100 per minute")
    make_user(app, "alice")
    client = app.test_client()
    for n in range(10):
        client.post("/login", json={"username": "\u0430lice", "password": f"guess {n}"})

    assert_error(client.post("/login", json={"username": "alice", "password": PASSWORD}), 429)
