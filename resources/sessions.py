"""The caller's live sessions (devices), and ending one of them."""

from uuid import UUID

from flask.views import MethodView
from flask_jwt_extended import get_jwt
from sqlalchemy import Row, select

from auth import sessions
from auth.permissions import caller, protected
from extensions import db
from models import LoginSession
from models.types import utcnow
from schemas.session import SessionSchema
from web.api import abort
from web.blueprint import Blueprint

blp = Blueprint("sessions", __name__, description="Sessions: one per login, on any device")


@blp.route("/sessions")
class Sessions(MethodView):
    @protected(blp)
    @blp.response(200, SessionSchema(many=True))
    def get(self) -> list[Row]:
        """The caller's live sessions, `current` marking the one making this call"""
        rows = db.session.execute(
            select(
                LoginSession.id,
                LoginSession.created_at,
                LoginSession.last_used_at,
                LoginSession.user_agent,
                LoginSession.ip,
                (LoginSession.id == get_jwt()["sid"]).label("current"),
            )
            .where(
                LoginSession.user_id == caller().id,
                LoginSession.revoked_at.is_(None),
                LoginSession.expires_at > utcnow(),
            )
            .order_by(LoginSession.last_used_at.desc())
        )
        return list(rows)


@blp.route("/sessions/<string:session_id>")
class SessionById(MethodView):
    @protected(blp)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, session_id: str) -> None:
        """End one of the caller's sessions: its tokens stop working at once"""
        principal = caller()
        # A session id is a UUID: any other text is the same 404 before it reaches a query
        # (where a NUL, for one, would be an error on PostgreSQL, not a miss).
        try:
            sid = str(UUID(session_id))
        except ValueError:
            abort(404, "No such session.")
        live = select(LoginSession.id).where(
            LoginSession.id == sid,
            LoginSession.user_id == principal.id,
            LoginSession.revoked_at.is_(None),
        )
        # Someone else's session and no session at all get the same 404.
        if db.session.scalar(live) is None:
            abort(404, "No such session.")
        sessions.revoke(principal.id, sid=sid, event="session_revoked", event_sid=sid)
