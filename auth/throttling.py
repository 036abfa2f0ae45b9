"""Throttling with Flask-Limiter: every check of a password or a client secret, per account
and per client address. Counters live in Redis when REDIS_URL is set, else in the app's own
database (auth/throttle_store.py), so that every worker and instance shares them and a
worker's death or a restart forgets nothing."""

import hashlib
import json
import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_jwt_extended import get_jwt_identity
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from redis import Redis
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from auth import throttle_store  # noqa: F401  (registers the appdb:// storage)
from auth.accounts import UsernameError, email_key, username_skeleton

# request.remote_addr, which ProxyFix sets from X-Forwarded-For only behind PROXY_COUNT proxies.
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        proxies = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    limiter.init_app(app)
    url = app.config["REDIS_URL"]
    # What readiness pings (resources/health.py): a client of the app's own, as the limiter
    # has one storage per process, with short timeouts so that a probe answers in seconds.
    app.extensions["redis"] = (
        Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None
    )


def account_key(kind: str, name: str) -> str:
    """The counter of one account: a hash, so that any name (any length, any script)
    makes a short ASCII key every store can hold."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"


def attempt(account: str) -> None:
    """Count a credential check against the account before it runs; 429 (with Retry-After)
    when the account has failed too often lately. /login, /reauthenticate, /me/password and
    /introspect's client share one budget per account.

    Counted first, in one atomic increment per limit, so that guesses sent concurrently
    to several workers cannot all pass a check made before any of them was counted.
    """
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    counted: list[RateLimitItem] = []
    for item in _account_limits():
        if not limiter.limiter.hit(item, *_ids(account)):
            _give_back(account, [*counted, item])  # a refused attempt costs no budget
            reset = limiter.limiter.get_window_stats(item, *_ids(account)).reset_time
            error = TooManyRequests(description=str(item))
            retry_after = str(max(1, math.ceil(reset - time.time())))
            # flask-smorest's error handler reads headers from `data`, as its abort sets it.
            error.data = {"headers": {"Retry-After": retry_after}}  # type: ignore[attr-defined]
            raise error
        counted.append(item)


def succeeded(account: str) -> None:
    """The secret was right: give the attempt back, since only failures count (a person
    who mistypes twice and then gets in never notices)."""
    if current_app.config["RATELIMIT_ENABLED"]:
        _give_back(account, _account_limits())


def _give_back(account: str, items: list[RateLimitItem]) -> None:
    for item in items:
        limiter.storage.incr(item.key_for(*_ids(account)), item.get_expiry(), amount=-1)


def user_account(username: str) -> str:
    """The counter of a user account, by what its name looks like (names that render
    alike share one budget, as they can share no account)."""
    try:
        return account_key("user", username_skeleton(username))
    except UsernameError:
        return account_key("user", "")  # no account has it; the schema refuses it anyway


def _ids(account: str) -> tuple[str, ...]:
    return (current_app.config["RATELIMIT_KEY_PREFIX"], "account", account)


def _account_limits() -> list[RateLimitItem]:
    return parse_many(current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"])


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _config(key: str) -> Any:
    return lambda: current_app.config[key]


# Per address, one budget for every endpoint that checks a password: a guesser cannot
# spread attempts over /login, /reauthenticate and /me/password.
credential_limits: list[Callable[..., Any]] = [
    limiter.shared_limit(_config("RATELIMIT_LOGIN_PER_ADDRESS"), scope="credentials-address")
]
# The introspection client calls often when it is right: only its failures count.
client_limits: list[Callable[..., Any]] = [
    limiter.shared_limit(
        _config("RATELIMIT_LOGIN_PER_ADDRESS"), scope="credentials-address", deduct_when=_failed
    )
]
register_limits: list[Callable[..., Any]] = [
    limiter.limit(_config("RATELIMIT_REGISTER_PER_ADDRESS"), scope="register")
]
refresh_limits: list[Callable[..., Any]] = [
    limiter.limit(_config("RATELIMIT_REFRESH_PER_ADDRESS"), scope="refresh")
]


def _json_body() -> Any:
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # the view answers those bodies with 400
        return None


def _recovery_target_key() -> str:
    """The account a reset request names, by e-mail or username, whether or not it exists:
    the answer must not differ for accounts that do not."""
    body = _json_body()
    if not isinstance(body, dict):
        return "target:?"
    if isinstance(body.get("email"), str):
        try:
            address = email_key(body["email"][:320])
        except UnicodeError:  # no account can have it: the view answers 422
            address = body["email"][:320]
        return account_key("email", address)
    if isinstance(body.get("username"), str):
        return user_account(body["username"][:320])
    return "target:?"


def _caller_key() -> str:
    return f"user:{get_jwt_identity()}"


forgot_limits: list[Callable[..., Any]] = [
    limiter.limit(_config("RATELIMIT_FORGOT_PER_ADDRESS"), scope="forgot-address"),
    limiter.limit(
        _config("RATELIMIT_FORGOT_PER_ACCOUNT"),
        key_func=_recovery_target_key,
        scope="forgot-account",
    ),
]
# One budget for every link-redeeming endpoint together, per client address.
recovery_limits: list[Callable[..., Any]] = [
    limiter.shared_limit(_config("RATELIMIT_RECOVERY_PER_ADDRESS"), scope="recovery-address")
]
# After the token check (put below @protected): the key is the caller's account.
resend_limit = limiter.limit(
    _config("RATELIMIT_RESEND_PER_ACCOUNT"), key_func=_caller_key, scope="resend-account"
)
