"""Liveness with a real round trip to the database."""

from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from blueprint import Blueprint
from errors import abort
from extensions import db
from schemas.health import HealthSchema

blp = Blueprint("health", __name__, description="Health check")


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self) -> dict:
        """Whether the API can reach its database"""
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            abort(503, "The database is unreachable.", errors={"database": "down"})
        return {"status": "ok"}
