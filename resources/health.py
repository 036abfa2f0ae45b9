"""Liveness (the process answers) and readiness (a real round trip to each backing
service), as orchestrators probe them apart; /health is readiness, as before."""

from flask import current_app
from flask.views import MethodView
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from schemas.health import HealthSchema
from web.api import abort
from web.blueprint import Blueprint

blp = Blueprint("health", __name__, description="Liveness and readiness")


def _database() -> str:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return "down"
    return "ok"


def _redis() -> str | None:
    client = current_app.extensions["redis"]  # the throttling counters' (auth/throttling.py)
    if client is None:
        return None  # not configured
    try:
        client.ping()
    except RedisError:
        return "down"
    return "ok"


@blp.route("/health/live")
class Live(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict:
        """Whether the process answers (no backing service is asked)"""
        return {"status": "ok"}


@blp.route("/health/ready")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self) -> dict:
        """Whether the API can reach its database (and Redis, when configured)"""
        return _ready()


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self) -> dict:
        """Readiness, under its first name: the same as /health/ready"""
        return _ready()


def _ready() -> dict:
    checks = {"database": _database(), "redis": _redis()}
    checks = {name: state for name, state in checks.items() if state is not None}
    if "down" in checks.values():
        down = ", ".join(name for name, state in checks.items() if state == "down")
        abort(503, f"Unreachable: {down}.", errors=checks)
    return {"status": "ok"}
