"""Installs an app's revocation store: the database's (auth/revocation/database.py), on
every backend. Redis, when REDIS_URL is set, holds only the throttling counters: no
revocation waits for it, and none is lost with it.

The rest of the app reads the store through `auth.revocation.current_blocklist()`.
"""

from flask import Flask

from auth.revocation.database import DatabaseBlocklist, add_check_engine

__all__ = ["add_check_engine", "init_app"]


def init_app(app: Flask) -> None:
    app.extensions["blocklist"] = DatabaseBlocklist()
    app.extensions["purge"] = {"last": 0.0}  # when this process last purged (auth/sessions.py)
