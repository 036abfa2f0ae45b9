"""Configuration: defaults, then the environment parsed and checked once by `load()`, which
refuses a bad setting with one line naming it, what was given and what is accepted."""

import ipaddress
import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from environs import Env, EnvError
from flask import Flask
from flask.cli import load_dotenv
from flask.helpers import get_load_dotenv
from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# RFC 7518 §3.2: an HS256 key at least as long as the hash.
MIN_SECRET_BYTES = 32
ALGORITHMS = ("HS256", "RS256", "ES256", "EdDSA")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

BOOLEAN = "true/false, 1/0, yes/no or on/off, in any case"
DURATION = "seconds (900) or a number with a unit (15m, 12h, 30d)"
SECRETS = ("JWT_SECRET_KEY", "METRICS_TOKEN", "INTROSPECTION_CLIENT_SECRET")
RATES = 'limits such as "10 per minute;30 per hour"'
MAIL_FORMS = (
    "smtp://host:port, smtp+starttls://user:password@host:port or smtps://user:password@host:port"
)


class Config:
    # The Authorization header first; browsers may use httpOnly cookies instead (login with
    # "transport": "cookie"). Never a query string or a JSON body.
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    # Double-submit CSRF (OWASP CSRF Cheat Sheet): with a cookie, every state-changing
    # request carries X-CSRF-TOKEN equal to the script-readable csrf_* cookie.
    JWT_COOKIE_CSRF_PROTECT = True
    JWT_CSRF_CHECK_FORM = False  # the header only: a cross-site form cannot set it
    # The refresh cookie goes only where it is spent; its CSRF cookie stays readable on
    # every page, for the header.
    JWT_REFRESH_COOKIE_PATH = "/refresh"
    PASSWORD_MAX_LENGTH = 1024
    RATELIMIT_HEADERS_ENABLED = True
    # Reset messages one account is sent, whoever asks and by whatever identifier.
    RESET_MAILS_PER_WINDOW = 3
    RESET_MAILS_WINDOW = timedelta(minutes=15)

    API_TITLE = "Flask JWT Auth API"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/swagger-ui"
    # Served by the app itself (see app.py): a CDN would leave the page blank offline.
    OPENAPI_SWAGGER_UI_URL = "/swagger-ui-assets/"


class ConfigError(RuntimeError):
    """A setting the app cannot start with; the message names it and what is accepted."""


# (config key, environment variable, how to read it, default, what is accepted)
Setting = tuple[str, str, str, Any, str]
SETTINGS: tuple[Setting, ...] = (
    ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL", "str", None, "an SQLAlchemy URL"),
    ("REDIS_URL", "REDIS_URL", "str", None, "redis://, rediss:// or unix:// URL"),
    ("JWT_SECRET_KEY", "JWT_SECRET_KEY", "str", None, f"at least {MIN_SECRET_BYTES} bytes"),
    ("JWT_ALGORITHM", "JWT_ALGORITHM", "str", "HS256", "one of " + ", ".join(ALGORITHMS)),
    ("JWT_PRIVATE_KEY_FILE", "JWT_PRIVATE_KEY_FILE", "str", None, "a path"),
    ("JWT_ENCODE_ISSUER", "JWT_ENCODE_ISSUER", "str", None, "a string"),
    ("JWT_DECODE_ISSUER", "JWT_DECODE_ISSUER", "str", None, "a string"),
    ("JWT_ENCODE_AUDIENCE", "JWT_ENCODE_AUDIENCE", "str", None, "a string"),
    ("JWT_DECODE_AUDIENCE", "JWT_DECODE_AUDIENCE", "str", None, "a string"),
    ("INTROSPECTION_CLIENT_ID", "INTROSPECTION_CLIENT_ID", "str", None, "a string"),
    ("INTROSPECTION_CLIENT_SECRET", "INTROSPECTION_CLIENT_SECRET", "str", None, "a string"),
    ("PROXY_COUNT", "PROXY_COUNT", "int", 0, "an integer from 0 to 10"),
    ("LOG_LEVEL", "LOG_LEVEL", "str", "INFO", "one of " + ", ".join(LOG_LEVELS)),
    ("LOG_FORMAT", "LOG_FORMAT", "str", "json", "json or text"),
    ("METRICS_TOKEN", "METRICS_TOKEN", "str", None, f"at least {MIN_SECRET_BYTES} bytes"),
    ("METRICS_ALLOWED_ADDRESSES", "METRICS_ALLOWED_ADDRESSES", "list", [], "addresses/CIDRs"),
    ("JWT_ACCESS_TOKEN_EXPIRES", "FLASK_JWT_ACCESS_TOKEN_EXPIRES", "timedelta",
     timedelta(minutes=15), DURATION),
    ("JWT_REFRESH_TOKEN_EXPIRES", "FLASK_JWT_REFRESH_TOKEN_EXPIRES", "timedelta",
     timedelta(days=30), DURATION),
    # Clocks of several instances drift by a second or two; an `iat`/`nbf` slightly in
    # the future (or an `exp` just past) is accepted within this margin.
    ("JWT_DECODE_LEEWAY", "FLASK_JWT_DECODE_LEEWAY", "timedelta", timedelta(seconds=5),
     "seconds from 0 to 300, or 1m"),
    # Per worker: tokens whose signature was checked (expiry and revocation never skip).
    ("VERIFIED_TOKENS_REMEMBERED", "FLASK_VERIFIED_TOKENS_REMEMBERED", "int", 2048, "0 or more"),
    # OWASP's 2023 advice for PBKDF2-HMAC-SHA256; about 0.14 s of CPU per hash here.
    ("PASSWORD_HASH_ROUNDS", "FLASK_PASSWORD_HASH_ROUNDS", "int", 600_000, "1000 or more"),
    ("PASSWORD_MIN_LENGTH", "FLASK_PASSWORD_MIN_LENGTH", "int", 8, "from 1 to 1024"),
    ("MAX_CONTENT_LENGTH", "FLASK_MAX_CONTENT_LENGTH", "int", 1024 * 1024, "bytes, 1 or more"),
    # Revocation rows past their expiry are deleted at most this often per process.
    ("PURGE_INTERVAL_SECONDS", "FLASK_PURGE_INTERVAL_SECONDS", "int", 600, "seconds, 1 or more"),
    # Security events (audit_events) older than this are deleted by the same purge.
    ("AUDIT_RETENTION_DAYS", "FLASK_AUDIT_RETENTION_DAYS", "int", 90, "days from 1 to 36500"),
    ("RATELIMIT_ENABLED", "FLASK_RATELIMIT_ENABLED", "bool", True, BOOLEAN),
    ("RATELIMIT_LOGIN_PER_ACCOUNT", "FLASK_RATELIMIT_LOGIN_PER_ACCOUNT", "str",
     "10 per minute;30 per hour", RATES),
    ("RATELIMIT_LOGIN_PER_ADDRESS", "FLASK_RATELIMIT_LOGIN_PER_ADDRESS", "str",
     "30 per minute", RATES),
    ("RATELIMIT_REGISTER_PER_ADDRESS", "FLASK_RATELIMIT_REGISTER_PER_ADDRESS", "str",
     "10 per minute", RATES),
    ("RATELIMIT_REFRESH_PER_ADDRESS", "FLASK_RATELIMIT_REFRESH_PER_ADDRESS", "str",
     "60 per minute", RATES),
    # Reset requests per client address, and per identifier asked about; redeeming links
    # per address; resending a verification per account.
    ("RATELIMIT_FORGOT_PER_ADDRESS", "FLASK_RATELIMIT_FORGOT_PER_ADDRESS", "str",
     "5 per minute", RATES),
    ("RATELIMIT_FORGOT_PER_ACCOUNT", "FLASK_RATELIMIT_FORGOT_PER_ACCOUNT", "str",
     "3 per 15 minutes", RATES),
    ("RATELIMIT_RECOVERY_PER_ADDRESS", "FLASK_RATELIMIT_RECOVERY_PER_ADDRESS", "str",
     "10 per minute", RATES),
    ("RATELIMIT_RESEND_PER_ACCOUNT", "FLASK_RATELIMIT_RESEND_PER_ACCOUNT", "str",
     "3 per 15 minutes", RATES),
    # Outgoing mail (account recovery): unset, messages are written to instance/outbox/.
    ("MAIL_URL", "MAIL_URL", "str", None, MAIL_FORMS),
    ("MAIL_FROM", "MAIL_FROM", "str", "Flask JWT Auth API <no-reply@localhost>",
     "an address, optionally with a name: Name <address>"),
    ("MAIL_TIMEOUT", "FLASK_MAIL_TIMEOUT", "int", 10, "seconds from 1 to 120"),
    # A CA bundle to trust for the mail server's certificate (a relay with a private CA).
    ("MAIL_TLS_CA_FILE", "MAIL_TLS_CA_FILE", "str", None, "the path of a PEM CA bundle"),
    # The base of the links in messages: where people reach this API (its /account pages).
    ("PUBLIC_URL", "PUBLIC_URL", "str", "http://127.0.0.1:5000", "an http:// or https:// URL"),
    # Passkeys (WebAuthn): the Relying Party ID their credentials are bound to (unset: the
    # host of PUBLIC_URL), and the name browsers show. PUBLIC_URL's origin is the one
    # origin whose pages may use them.
    ("WEBAUTHN_RP_ID", "WEBAUTHN_RP_ID", "str", None,
     "a domain name: the host of PUBLIC_URL, or a parent domain of it"),
    ("WEBAUTHN_RP_NAME", "WEBAUTHN_RP_NAME", "str", "Flask JWT Auth API", "a non-empty name"),
    ("PASSWORD_RESET_EXPIRES", "FLASK_PASSWORD_RESET_EXPIRES", "timedelta",
     timedelta(minutes=30), DURATION),
    ("EMAIL_VERIFY_EXPIRES", "FLASK_EMAIL_VERIFY_EXPIRES", "timedelta",
     timedelta(hours=24), DURATION),
    # True: an address is required at registration, and login waits for it to be verified.
    ("REQUIRE_VERIFIED_EMAIL", "FLASK_REQUIRE_VERIFIED_EMAIL", "bool", False, BOOLEAN),
    # The name authenticator apps show beside a TOTP entry (the otpauth:// URI's issuer).
    ("TOTP_ISSUER", "TOTP_ISSUER", "str", "Flask JWT Auth API", "1 to 64 characters, no colon"),
    # Browser clients: exact origins whose pages may call the API with credentials.
    ("CORS_ORIGINS", "CORS_ORIGINS", "list", [],
     "comma-separated origins like https://app.example (never *)"),
    ("JWT_COOKIE_SECURE", "FLASK_JWT_COOKIE_SECURE", "bool", True, BOOLEAN),
    ("JWT_COOKIE_SAMESITE", "FLASK_JWT_COOKIE_SAMESITE", "str", "Lax", "Strict, Lax or None"),
    # Seconds after a rotation during which the token it replaced still answers.
    ("JWT_REFRESH_REUSE_INTERVAL", "FLASK_JWT_REFRESH_REUSE_INTERVAL", "int", 0,
     "seconds from 0 to 60"),
)  # fmt: skip


# The defaults are Config's too, so Config.PASSWORD_HASH_ROUNDS and the like read as before.
for _key, _name, _kind, _default, _accepted in SETTINGS:
    setattr(Config, _key, _default)


def _check_url(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() in ("sqlite", "postgresql", "postgres")
    except ArgumentError:
        return False


def _check_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_origin(origin: str) -> bool:
    # Credentials (cookies) with `*` would hand every site the user's session.
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.path


def _check_addresses(addresses: list[str]) -> bool:
    try:
        return all(ipaddress.ip_network(a.strip(), strict=False) for a in addresses)
    except ValueError:
        return False


# Flask keys outside the table that may be overridden (FLASK_<KEY>) but not weakened.
FIXED = {
    "JWT_TOKEN_LOCATION": '["headers"] or ["headers", "cookies"]: never a query string or body',
    "JWT_COOKIE_CSRF_PROTECT": "true: cookies always need the CSRF header",
}


# A value that parses but is still refused; the message is the setting's "accepted".
CHECKS: dict[str, Callable[[Any], bool]] = {
    "SQLALCHEMY_DATABASE_URI": _check_url,
    "REDIS_URL": lambda url: url.startswith(("redis://", "rediss://", "unix://")),
    "JWT_SECRET_KEY": lambda secret: len(secret.encode()) >= MIN_SECRET_BYTES,
    "METRICS_TOKEN": lambda secret: len(secret.encode()) >= MIN_SECRET_BYTES,
    "JWT_ALGORITHM": lambda name: name in ALGORITHMS,
    "PROXY_COUNT": lambda count: 0 <= count <= 10,
    "LOG_LEVEL": lambda level: level.upper() in LOG_LEVELS,
    "LOG_FORMAT": lambda name: name in ("json", "text"),
    "METRICS_ALLOWED_ADDRESSES": _check_addresses,
    "JWT_ACCESS_TOKEN_EXPIRES": lambda delta: delta > timedelta(0),
    "JWT_REFRESH_TOKEN_EXPIRES": lambda delta: delta > timedelta(0),
    "JWT_DECODE_LEEWAY": lambda seconds: 0 <= seconds <= 300,
    "VERIFIED_TOKENS_REMEMBERED": lambda count: count >= 0,
    "PASSWORD_HASH_ROUNDS": lambda rounds: rounds >= 1000,
    "PASSWORD_MIN_LENGTH": lambda length: 1 <= length <= 1024,
    "MAX_CONTENT_LENGTH": lambda size: size >= 1,
    "PURGE_INTERVAL_SECONDS": lambda seconds: seconds >= 1,
    "AUDIT_RETENTION_DAYS": lambda days: 1 <= days <= 36_500,
    "MAIL_URL": lambda url: (
        urlsplit(url).scheme in ("smtp", "smtp+starttls", "smtps") and bool(urlsplit(url).hostname)
    ),
    "MAIL_TIMEOUT": lambda seconds: 1 <= seconds <= 120,
    "MAIL_TLS_CA_FILE": lambda path: Path(path).is_file(),
    "PUBLIC_URL": _check_http_url,
    "WEBAUTHN_RP_NAME": lambda name: bool(name.strip()),
    "TOTP_ISSUER": lambda name: 0 < len(name) <= 64 and ":" not in name,
    "PASSWORD_RESET_EXPIRES": lambda delta: delta > timedelta(0),
    "EMAIL_VERIFY_EXPIRES": lambda delta: delta > timedelta(0),
    "CORS_ORIGINS": lambda origins: all(_is_origin(origin) for origin in origins),
    "JWT_COOKIE_SAMESITE": lambda name: name in ("Strict", "Lax", "None"),
    "JWT_REFRESH_REUSE_INTERVAL": lambda seconds: (
        isinstance(seconds, int) and not isinstance(seconds, bool) and 0 <= seconds <= 60
    ),
    # Tokens never come from a query string or a body, and cookies never without CSRF.
    "JWT_TOKEN_LOCATION": lambda places: set(places) <= {"headers", "cookies"},
    "JWT_COOKIE_CSRF_PROTECT": lambda on: on is True,
    **{key: lambda rates: bool(parse_many(rates)) for key, *_ in SETTINGS if "PER_" in key},
}


def load(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill app.config: the defaults above, then the environment (a `.env` file too, as
    the `flask` command reads it, unless FLASK_SKIP_DOTENV=1), then `overrides` (tests
    pass a dict, like flaskr's create_app(test_config)). Raises ConfigError."""
    if get_load_dotenv():
        load_dotenv()
    app.config.from_object(Config)
    app.config.from_prefixed_env()  # any other Flask key, as FLASK_<KEY>
    env = Env(eager=True)
    for key, name, kind, default, accepted in SETTINGS:
        if not os.environ.get(name):  # unset or empty: the default
            app.config[key] = default
            continue
        try:
            app.config[key] = getattr(env, kind)(name)
        except EnvError:
            raise ConfigError(_refusal(name, os.environ[name], accepted)) from None
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _check(config: Mapping[str, Any]) -> None:
    by_key = {key: (name, accepted) for key, name, _kind, _default, accepted in SETTINGS}
    for key, check in CHECKS.items():
        value = config.get(key)
        if value is None:
            continue
        try:
            good = check(value)
        except (TypeError, ValueError):
            good = False
        if not good:
            name, accepted = by_key.get(key, (f"FLASK_{key}", FIXED.get(key, "")))
            raise ConfigError(_refusal(name, value, accepted))


def _refusal(name: str, given: Any, accepted: str) -> str:
    if name in SECRETS:  # a secret is never echoed, not even a wrong one
        given = f"a value of {len(str(given).encode())} bytes"
    elif isinstance(given, list):
        given = repr(",".join(given))
    else:
        given = repr(given if not isinstance(given, timedelta) else given.total_seconds())
    return f"{name}: {given} is not accepted; expected {accepted}"


def _derive(app: Flask) -> None:
    config = app.config
    for key in (
        "JWT_ACCESS_TOKEN_EXPIRES",
        "JWT_REFRESH_TOKEN_EXPIRES",
        "PASSWORD_RESET_EXPIRES",
        "EMAIL_VERIFY_EXPIRES",
    ):
        if not isinstance(config[key], timedelta):  # an override given in seconds
            config[key] = timedelta(seconds=config[key])
    if isinstance(config["JWT_DECODE_LEEWAY"], timedelta):  # whole seconds, as the cache needs
        config["JWT_DECODE_LEEWAY"] = int(config["JWT_DECODE_LEEWAY"].total_seconds())
    # Only the configured algorithm verifies: no HS/RS confusion, no alg=none.
    config["JWT_DECODE_ALGORITHMS"] = [config["JWT_ALGORITHM"]]
    # Without Redis, the app's own database (auth/throttle_store.py), never process memory.
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "appdb://")
    config.setdefault("RATELIMIT_KEY_PREFIX", "jwt-api")
    origins = config["CORS_ORIGINS"]
    if isinstance(origins, str):  # an override given as in the environment
        origins = origins.split(",")
    config["CORS_ORIGINS"] = [origin.strip() for origin in origins if origin.strip()]
    _check(config)  # the URL as given, before the SQLite default fills it in
    if config["JWT_COOKIE_SAMESITE"] == "None" and not config["JWT_COOKIE_SECURE"]:
        # Browsers drop a SameSite=None cookie that is not Secure.
        raise ConfigError(
            "FLASK_JWT_COOKIE_SAMESITE: None needs Secure cookies (FLASK_JWT_COOKIE_SECURE=true)"
        )
    _derive_webauthn(config)
    config["LOG_LEVEL"] = config["LOG_LEVEL"].upper()
    config["SQLALCHEMY_DATABASE_URI"] = _database_url(config["SQLALCHEMY_DATABASE_URI"], app)


def _derive_webauthn(config: Any) -> None:
    """The origin passkeys are used from (PUBLIC_URL's, serialised as browsers put it in
    clientDataJSON: no default port, no path) and the RP ID, which must be that origin's
    host or a parent domain of it (WebAuthn §5.1.3's registrable-suffix rule), or no
    browser would ever use a credential: refused at start rather than at the first try."""
    parts = urlsplit(config["PUBLIC_URL"])
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = f"[{host}]" if ":" in host else host
    if parts.port and parts.port != default_port:
        netloc = f"{netloc}:{parts.port}"
    config["WEBAUTHN_ORIGIN"] = f"{scheme}://{netloc}"
    rp_id = (config["WEBAUTHN_RP_ID"] or host).lower()
    if not (host == rp_id or (host.endswith("." + rp_id) and not _is_ip(host))):
        raise ConfigError(
            _refusal("WEBAUTHN_RP_ID", config["WEBAUTHN_RP_ID"], f"{host} or a parent domain of it")
        )
    config["WEBAUTHN_RP_ID"] = rp_id


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _database_url(url: str | None, app: Flask) -> str:
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'app.db'}"
    if url.startswith("postgres://"):  # the spelling Heroku and others hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    return url
