"""Configuration: one class of defaults read from the environment, overridable by
FLASK_<KEY>, and `load()`, the one place that turns them into the app's effective settings
and refuses a bad one."""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

# RFC 7518 §3.2: an HS256 key at least as long as the hash.
MIN_SECRET_BYTES = 32
ALGORITHMS = ("HS256", "RS256", "ES256", "EdDSA")


class Config:
    # None: an SQLite file in the instance folder (resolved in create_app).
    SQLALCHEMY_DATABASE_URI = os.getenv("DATABASE_URL")
    # None: no Redis; the database holds revocations and throttling stays per process.
    REDIS_URL = os.getenv("REDIS_URL")

    # None or empty: a random key generated once into the instance folder.
    JWT_SECRET_KEY = os.getenv("JWT_SECRET_KEY")
    # HS256 (the secret above), or RS256 / ES256 / EdDSA with keys in the instance folder.
    JWT_ALGORITHM = os.getenv("JWT_ALGORITHM", "HS256")
    # One PEM private key managed outside the app (no `flask keys rotate` then).
    JWT_PRIVATE_KEY_FILE = os.getenv("JWT_PRIVATE_KEY_FILE")
    # Checked when set (flask-jwt-extended reads these keys itself).
    JWT_ENCODE_ISSUER = os.getenv("JWT_ENCODE_ISSUER")
    JWT_DECODE_ISSUER = os.getenv("JWT_DECODE_ISSUER")
    JWT_ENCODE_AUDIENCE = os.getenv("JWT_ENCODE_AUDIENCE")
    JWT_DECODE_AUDIENCE = os.getenv("JWT_DECODE_AUDIENCE")
    # The one client that may call POST /introspect (HTTP Basic); unset: nobody may.
    INTROSPECTION_CLIENT_ID = os.getenv("INTROSPECTION_CLIENT_ID")
    INTROSPECTION_CLIENT_SECRET = os.getenv("INTROSPECTION_CLIENT_SECRET")
    # The Authorization header first; browsers may use httpOnly cookies instead (login with
    # "transport": "cookie"). Never a query string or a JSON body.
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    # Double-submit CSRF (OWASP CSRF Cheat Sheet): with a cookie, every state-changing
    # request carries X-CSRF-TOKEN equal to the script-readable csrf_* cookie.
    JWT_COOKIE_CSRF_PROTECT = True
    JWT_CSRF_CHECK_FORM = False  # the header only: a cross-site form cannot set it
    JWT_COOKIE_SECURE = True  # FLASK_JWT_COOKIE_SECURE=false for plain-http development
    JWT_COOKIE_SAMESITE = "Lax"
    # The refresh cookie goes only where it is spent; its CSRF cookie stays readable on
    # every page, for the header.
    JWT_REFRESH_COOKIE_PATH = "/refresh"
    # Within this many seconds of a rotation, the refresh token just rotated away may be
    # presented once more (browser tabs refreshing together); 0: never. At most 60.
    JWT_REFRESH_REUSE_INTERVAL = 0
    # Exact origins (scheme://host[:port]) whose pages may call the API with credentials;
    # empty: no cross-origin access.
    CORS_ORIGINS = os.getenv("CORS_ORIGINS", "")
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=30)
    # Per worker: tokens whose signature was checked (expiry and revocation never skip).
    VERIFIED_TOKENS_REMEMBERED = 2048

    # OWASP's 2023 advice for PBKDF2-HMAC-SHA256; about 0.14 s of CPU per hash here.
    PASSWORD_HASH_ROUNDS = 600_000
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 1024

    # Outgoing mail (account recovery): unset, messages are written to instance/outbox/.
    MAIL_URL = os.getenv("MAIL_URL")
    MAIL_FROM = os.getenv("MAIL_FROM", "Flask JWT Auth API <no-reply@localhost>")
    MAIL_TIMEOUT = 10  # seconds, for the connection and each SMTP command
    # A CA bundle to trust for the mail server's certificate (a relay with a private CA).
    MAIL_TLS_CA_FILE = os.getenv("MAIL_TLS_CA_FILE")
    # The base of the links in messages: where people reach this API (and its /account pages).
    PUBLIC_URL = os.getenv("PUBLIC_URL", "http://127.0.0.1:5000")
    PASSWORD_RESET_EXPIRES = timedelta(minutes=30)
    # Reset messages one account is sent, whoever asks and by whatever identifier.
    RESET_MAILS_PER_WINDOW = 3
    RESET_MAILS_WINDOW = timedelta(minutes=15)
    EMAIL_VERIFY_EXPIRES = timedelta(hours=24)
    # True: an address is required at registration, and login waits for it to be verified.
    REQUIRE_VERIFIED_EMAIL = False

    MAX_CONTENT_LENGTH = 1024 * 1024
    # Revocation rows past their expiry are deleted at most this often per process.
    PURGE_INTERVAL_SECONDS = 600

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN_PER_ACCOUNT = "10 per minute;30 per hour"
    RATELIMIT_LOGIN_PER_ADDRESS = "30 per minute"
    RATELIMIT_REGISTER_PER_ADDRESS = "10 per minute"
    RATELIMIT_REFRESH_PER_ADDRESS = "60 per minute"
    # Reset requests per client address, and per account asked about (an e-mail box must
    # not be flooded); redeeming links per address; resending a verification per account.
    RATELIMIT_FORGOT_PER_ADDRESS = "5 per minute"
    RATELIMIT_FORGOT_PER_ACCOUNT = "3 per 15 minutes"
    RATELIMIT_RECOVERY_PER_ADDRESS = "10 per minute"
    RATELIMIT_RESEND_PER_ACCOUNT = "3 per 15 minutes"
    # How many reverse proxies in front of the app may be trusted for X-Forwarded-For.
    PROXY_COUNT = int(os.getenv("PROXY_COUNT", "0"))

    API_TITLE = "Flask JWT Auth API"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/swagger-ui"
    # Served by the app itself (see app.py): a CDN would leave the page blank offline.
    OPENAPI_SWAGGER_UI_URL = "/swagger-ui-assets/"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "introspectionClient": {"type": "http", "scheme": "basic"},
            }
        }
    }


class ConfigError(RuntimeError):
    """A setting the app cannot start with; the message names it and what is accepted."""


def load(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill app.config: the defaults above, then FLASK_<KEY> variables, then `overrides`
    (tests pass a dict, like flaskr's create_app(test_config)), then what follows from
    them. Raises ConfigError for a setting the app must not start with."""
    app.config.from_object(Config)
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    config = app.config
    config["SQLALCHEMY_DATABASE_URI"] = _database_url(config["SQLALCHEMY_DATABASE_URI"], app)
    for key in (
        "JWT_ACCESS_TOKEN_EXPIRES",
        "JWT_REFRESH_TOKEN_EXPIRES",
        "PASSWORD_RESET_EXPIRES",
        "EMAIL_VERIFY_EXPIRES",
    ):
        # FLASK_JWT_..._EXPIRES=900 arrives as seconds; session expiry needs a timedelta.
        if not isinstance(config[key], timedelta):
            config[key] = timedelta(seconds=config[key])
    algorithm = config["JWT_ALGORITHM"]
    if algorithm not in ALGORITHMS:
        raise ConfigError(f"JWT_ALGORITHM must be one of {', '.join(ALGORITHMS)}, not {algorithm}")
    # Only the configured algorithm verifies: no HS/RS confusion, no alg=none.
    config["JWT_DECODE_ALGORITHMS"] = [algorithm]
    secret = config["JWT_SECRET_KEY"]
    if secret and len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"JWT_SECRET_KEY is {len(secret.encode())} bytes; it must be at least "
            f"{MIN_SECRET_BYTES}. Generate one with: openssl rand -hex 32"
        )
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")
    config.setdefault("RATELIMIT_KEY_PREFIX", "jwt-api")
    interval = config["JWT_REFRESH_REUSE_INTERVAL"]
    if not (isinstance(interval, int) and 0 <= interval <= 60):
        raise ConfigError(
            f"FLASK_JWT_REFRESH_REUSE_INTERVAL must be 0 to 60 seconds, not {interval!r}"
        )
    origins = config["CORS_ORIGINS"]
    if isinstance(origins, str):
        origins = [origin.strip() for origin in origins.split(",") if origin.strip()]
    if "*" in origins:
        # Credentials (cookies) with any origin would hand every site the user's session.
        raise ConfigError("CORS_ORIGINS must list exact origins; * is refused with credentials")
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ConfigError(f"CORS_ORIGINS: {origin!r} is not an origin like https://app.example")
    config["CORS_ORIGINS"] = origins
    if config["JWT_COOKIE_SAMESITE"] not in ("Strict", "Lax", "None"):
        raise ConfigError("FLASK_JWT_COOKIE_SAMESITE must be Strict, Lax or None")


def _database_url(url: str | None, app: Flask) -> str:
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'app.db'}"
    if url.startswith("postgres://"):  # the spelling Heroku and others hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    return url
