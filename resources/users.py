"""The caller's account, password changes, and users by id."""

from flask.views import MethodView
from flask_jwt_extended import get_jwt
from flask_smorest.pagination import PaginationParameters

from auth import accounts, admin, credentials, events, factors, passwords, sessions
from auth.permissions import caller, protected, require_self_or_admin
from auth.throttling import credential_limits
from extensions import db
from models import AuditEvent, User
from schemas.admin import EventSchema
from schemas.mfa import MeSchema
from schemas.user import MessageSchema, PasswordChangeSchema, UserSchema
from web.api import abort
from web.blueprint import Blueprint
from web.pagination import paginate

blp = Blueprint("users", __name__, description="User accounts")


@blp.route("/me")
class Me(MethodView):
    @protected(blp)
    @blp.response(200, MeSchema)
    def get(self) -> dict:
        """The caller's account, with the second factors it has"""
        principal = caller()
        return {**principal._asdict(), "mfa": factors.summary(principal)}


@blp.route("/me/events")
class MyEvents(MethodView):
    @protected(blp)
    @blp.response(200, EventSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> list[AuditEvent]:
        """The caller's own security events, newest first"""
        return paginate(events.listing({"user_id": caller().id}), pagination_parameters)


@blp.route("/me/password")
class MyPassword(MethodView):
    decorators = credential_limits

    @protected(blp, fresh=True)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, MessageSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict) -> dict:
        """Change the password; every other session of the caller ends"""
        claims, principal = get_jwt(), caller()
        user = db.get_or_404(User, principal.id)
        # Throttled like a login, on the same per-account budget: a stolen fresh token
        # must not become a way around /login's limits.
        if not credentials.check_password(user, user.username, data["current_password"]):
            abort(401, "The current password is wrong.", error="invalid_credentials")
        errors = passwords.policy_errors(data["new_password"], user.username)
        if errors:
            abort(422, "The new password is refused.", errors={"new_password": errors})
        accounts.change_password(user, data["new_password"])
        # One transaction: the new hash, the other sessions' end and the event.
        sessions.revoke(
            user.id, keep=claims["sid"], event="password_changed", event_sid=claims["sid"]
        )
        return {"message": "Password changed."}


@blp.route("/user/<id:user_id>")
class UserById(MethodView):
    @protected(blp)
    @blp.response(200, UserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id: int) -> User:
        """A user, for themself or an admin"""
        require_self_or_admin(user_id)
        return db.get_or_404(User, user_id, description="No such user.")

    @protected(blp, fresh=True)
    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, user_id: int) -> None:
        """Delete a user with their sessions; their tokens are refused from then on (409
        last_admin: never the last active admin, not even by themself)"""
        principal = require_self_or_admin(user_id)
        user = db.get_or_404(User, user_id, description="No such user.")
        try:
            admin.delete_user(user, actor_id=principal.id, sid=get_jwt()["sid"])
        except admin.AdminRuleError as error:
            abort(409, str(error), error=error.code)
