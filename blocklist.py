"""Picks the revocation store for an app: Redis when REDIS_URL is set, else the database.

The stores live in auth/revocation/; the rest of the app reads the chosen one through
`auth.revocation.current_blocklist()`.
"""

from flask import Flask

from auth.revocation import Blocklist
from auth.revocation.database import DatabaseBlocklist, add_check_engine

__all__ = ["add_check_engine", "init_app"]
from auth.revocation.redis_store import RedisBlocklist


def init_app(app: Flask) -> None:
    store: Blocklist
    if app.config["REDIS_URL"]:
        store = RedisBlocklist(app.config["REDIS_URL"])
    else:
        store = DatabaseBlocklist()
    app.extensions["blocklist"] = store
    app.extensions["purge"] = {"last": 0.0}
