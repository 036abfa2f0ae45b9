"""Throttling with Flask-Limiter: login per account and per address, register and refresh
per address. Counters live in Redis when REDIS_URL is set, else in each worker's memory."""

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from auth.accounts import UsernameError, username_key

# request.remote_addr, which ProxyFix sets from X-Forwarded-For only behind PROXY_COUNT proxies.
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        proxies = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    limiter.init_app(app)


def _account_key() -> str:
    """The account a login names, folded as the users table folds it."""
    try:
        body: Any = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # the view answers those bodies with 400
        body = None
    username = body.get("username") if isinstance(body, dict) else None
    if not isinstance(username, str):
        return "account:?"
    try:
        return "account:" + username_key(username)
    except UsernameError:
        return "account:?"  # no account can have it: the view answers 422


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _config(key: str) -> Any:
    return lambda: current_app.config[key]


# Only failed logins count against an account: a person who mistypes twice and then
# gets in never notices; a guesser is stopped after about ten tries a minute.
login_limits: list[Callable[..., Any]] = [
    limiter.limit(
        _config("RATELIMIT_LOGIN_PER_ACCOUNT"),
        key_func=_account_key,
        deduct_when=_failed,
        scope="login-account",
    ),
    limiter.limit(_config("RATELIMIT_LOGIN_PER_ADDRESS"), scope="login-address"),
]
register_limits: list[Callable[..., Any]] = [
    limiter.limit(_config("RATELIMIT_REGISTER_PER_ADDRESS"), scope="register")
]
refresh_limits: list[Callable[..., Any]] = [
    limiter.limit(_config("RATELIMIT_REFRESH_PER_ADDRESS"), scope="refresh")
]
