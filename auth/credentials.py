"""The checks of a secret a caller presents: a user's password, the introspection client's
secret. Each is throttled per account (auth.throttling) and costs the same whether the
account exists or not."""

import hmac

from flask import current_app, request

from auth import passwords, throttling
from models import User


def check_password(user: User | None, username: str, password: str) -> bool:
    """Whether `password` is `user`'s (None: an unknown name, checked at the same cost).

    Raises TooManyRequests (429) while the account is throttled; a wrong password counts
    against the account, whichever endpoint asked. A hash stored at fewer rounds than
    configured is replaced on the user (the caller commits).
    """
    account = throttling.user_account(username)
    throttling.attempt(account)
    matches, new_hash = passwords.verify(password, user.password_hash if user else None)
    if user is None or not matches:
        return False
    throttling.succeeded(account)
    if new_hash:
        user.password_hash = new_hash
    return True


def check_client() -> bool:
    """Whether the request carries the introspection client's HTTP Basic credential
    (RFC 7662 §2.1), compared in constant time; throttled per client id like a login."""
    config = current_app.config
    expected_id, expected_secret = (
        config["INTROSPECTION_CLIENT_ID"],
        config["INTROSPECTION_CLIENT_SECRET"],
    )
    auth = request.authorization
    if not (expected_id and expected_secret and auth and auth.type == "basic"):
        return False
    account = throttling.account_key("client", str(auth.username))
    throttling.attempt(account)
    matches = hmac.compare_digest(
        str(auth.username).encode("utf-8", "surrogatepass"), expected_id.encode()
    ) & hmac.compare_digest(
        str(auth.password).encode("utf-8", "surrogatepass"), expected_secret.encode()
    )
    if matches:
        throttling.succeeded(account)
    return bool(matches)
