"""config.load(): every form the README promises, and one clear refusal for the rest."""

from datetime import timedelta

import pytest
from flask import Flask

import config


def load(monkeypatch, tmp_path, **env: str) -> Flask:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = Flask(__name__, instance_path=str(tmp_path))
    config.load(app)
    return app


@pytest.mark.parametrize(
    ("given", "expected"),
    [("False", False), ("no", False), ("OFF", False), ("0", False), ("Yes", True), ("on", True)],
)
def test_booleans_in_any_spelling(monkeypatch, tmp_path, given, expected):
    app = load(monkeypatch, tmp_path, FLASK_RATELIMIT_ENABLED=given)

    assert app.config["RATELIMIT_ENABLED"] is expected


@pytest.mark.parametrize(
    ("given", "seconds"), [("900", 900), ("15m", 900), ("12h", 43200), ("30d", 2592000)]
)
def test_durations_in_seconds_or_with_a_unit(monkeypatch, tmp_path, given, seconds):
    app = load(monkeypatch, tmp_path, FLASK_JWT_ACCESS_TOKEN_EXPIRES=given)

    assert app.config["JWT_ACCESS_TOKEN_EXPIRES"] == timedelta(seconds=seconds)


def test_the_decode_leeway_is_a_few_seconds_by_default(monkeypatch, tmp_path):
    assert load(monkeypatch, tmp_path).config["JWT_DECODE_LEEWAY"] == 5


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("FLASK_PASSWORD_HASH_ROUNDS", "many", "1000 or more"),
        ("FLASK_RATELIMIT_LOGIN_PER_ADDRESS", "lots", "per minute"),
        ("REDIS_URL", "http://cache", "redis://"),
        ("METRICS_ALLOWED_ADDRESSES", "10.0.0.0/8,intranet", "addresses"),
        ("LOG_LEVEL", "loud", "DEBUG"),
        # The otpauth:// URI's label is "issuer:account": a colon would split it wrongly.
        ("TOTP_ISSUER", "Acme: login", "no colon"),
    ],
)
def test_a_refusal_names_the_variable_the_value_and_what_is_accepted(
    monkeypatch, tmp_path, name, value, accepted
):
    with pytest.raises(config.ConfigError) as refused:
        load(monkeypatch, tmp_path, **{name: value})

    message = str(refused.value)
    assert message.startswith(f"{name}: ") and value in message and accepted in message
    assert "\n" not in message


def test_a_secret_is_never_echoed(monkeypatch, tmp_path):
    with pytest.raises(config.ConfigError) as refused:
        load(monkeypatch, tmp_path, METRICS_TOKEN="hunter2")

    assert "hunter2" not in str(refused.value) and "7 bytes" in str(refused.value)


def test_a_dotenv_file_is_read_unless_skipped(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("LOG_FORMAT=text\nLOG_LEVEL=debug\n")
    monkeypatch.chdir(tmp_path)
    for name in ("LOG_FORMAT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)  # and put back as it was after the test

    skipped = load(monkeypatch, tmp_path, FLASK_SKIP_DOTENV="1")
    read = load(monkeypatch, tmp_path, FLASK_SKIP_DOTENV="0")

    assert skipped.config["LOG_FORMAT"] == "json"
    assert read.config["LOG_FORMAT"] == "text" and read.config["LOG_LEVEL"] == "DEBUG"
