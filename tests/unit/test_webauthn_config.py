"""Passkeys' settings: the RP ID and origin come from PUBLIC_URL, and an RP ID no browser
would accept for it stops the start."""

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
    ("public_url", "rp_id", "origin"),
    [
        ("http://127.0.0.1:5000", "127.0.0.1", "http://127.0.0.1:5000"),
        ("http://localhost:5000/", "localhost", "http://localhost:5000"),
        ("https://Auth.Example.com:443/base", "auth.example.com", "https://auth.example.com"),
        ("https://auth.example.com:8443", "auth.example.com", "https://auth.example.com:8443"),
        ("http://[::1]:8000", "::1", "http://[::1]:8000"),
    ],
)
def test_the_rp_id_and_origin_follow_public_url(monkeypatch, tmp_path, public_url, rp_id, origin):
    app = load(monkeypatch, tmp_path, PUBLIC_URL=public_url)

    assert app.config["WEBAUTHN_RP_ID"] == rp_id
    assert app.config["WEBAUTHN_ORIGIN"] == origin


def test_a_parent_domain_may_be_the_rp_id(monkeypatch, tmp_path):
    app = load(
        monkeypatch, tmp_path, PUBLIC_URL="https://auth.example.com", WEBAUTHN_RP_ID="Example.com"
    )

    assert app.config["WEBAUTHN_RP_ID"] == "example.com"


@pytest.mark.parametrize(
    ("public_url", "rp_id"),
    [
        ("https://auth.example.com", "other.example"),
        ("https://auth.example.com", "ample.com"),  # a suffix, but not a parent domain
        ("https://auth.example.com", "sub.auth.example.com"),
        ("http://10.0.0.1", "0.1"),
    ],
)
def test_an_rp_id_browsers_would_refuse_stops_the_start(monkeypatch, tmp_path, public_url, rp_id):
    with pytest.raises(config.ConfigError) as refused:
        load(monkeypatch, tmp_path, PUBLIC_URL=public_url, WEBAUTHN_RP_ID=rp_id)

    assert str(refused.value).startswith(f"WEBAUTHN_RP_ID: '{rp_id}' is not accepted")
