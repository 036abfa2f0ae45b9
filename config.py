"""Configuration: one class, read from the environment, overridable by FLASK_<KEY>."""

import os
from datetime import timedelta


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
    JWT_TOKEN_LOCATION = ["headers"]
    # A CSRF claim only matters for tokens in cookies; these travel in a header.
    JWT_COOKIE_CSRF_PROTECT = False
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=30)
    # Per worker: tokens whose signature was checked (expiry and revocation never skip).
    VERIFIED_TOKENS_REMEMBERED = 2048

    # OWASP's 2023 advice for PBKDF2-HMAC-SHA256; about 0.14 s of CPU per hash here.
    PASSWORD_HASH_ROUNDS = 600_000
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 1024

    MAX_CONTENT_LENGTH = 1024 * 1024
    # Revocation rows past their expiry are deleted at most this often per process.
    PURGE_INTERVAL_SECONDS = 600

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN_PER_ACCOUNT = "10 per minute;30 per hour"
    RATELIMIT_LOGIN_PER_ADDRESS = "30 per minute"
    RATELIMIT_REGISTER_PER_ADDRESS = "10 per minute"
    RATELIMIT_REFRESH_PER_ADDRESS = "60 per minute"
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
