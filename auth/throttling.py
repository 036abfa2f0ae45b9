"""Throttling with Flask-Limiter: login per account and per address, register and refresh
per address. Counters live in Redis when REDIS_URL is set, else in each worker's memory."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_jwt_extended import get_jwt_identity
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from auth.accounts import UsernameError, email_key, username_key

# request.remote_addr, which ProxyFix sets from X-Forwarded-For only behind PROXY_COUNT proxies.
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        proxies = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    limiter.init_app(app)


def _json_body() -> Any:
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # the view answers those bodies with 400
        return None


def _account_key() -> str:
    """The account a login names, folded as the users table folds it."""
    body = _json_body()
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


def _recovery_target_key() -> str:
    """The account a reset request names, by e-mail or username, whether or not it exists:
    the answer must not differ for accounts that do not."""
    body = _json_body()
    if isinstance(body, dict) and isinstance(body.get("email"), str):
        # Hashed: bounded, and storable whatever the body holds (a lone surrogate included).
        try:
            address = email_key(body["email"][:320])
        except UnicodeError:  # no account can have it: the view answers 422
            address = body["email"][:320]
        key = address.encode("utf-8", "surrogatepass")
        return "email:" + hashlib.sha256(key).hexdigest()
    return _account_key()


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
