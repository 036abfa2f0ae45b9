"""Administration: users, locks, sessions and roles, and the security activity record.
Every path is for admins only (403 otherwise); changes need a fresh token."""

from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import func, or_, select

from auth import admin, events
from auth.permissions import protected, require_admin
from extensions import db
from models import User
from schemas.admin import (
    AdminUserSchema,
    AdminUserUpdateSchema,
    EventQueryArgsSchema,
    EventSchema,
    LockSchema,
    UserQueryArgsSchema,
)
from web.api import abort
from web.blueprint import Blueprint
from web.pagination import paginate

blp = Blueprint("admin", __name__, description="Administration (admins only)")


def _with_sessions(users: list[User]) -> list[dict[str, Any]]:
    """Each user as AdminUserSchema has it, with their live sessions counted."""
    counts = admin.active_sessions([user.id for user in users])
    fields = AdminUserSchema().fields
    return [
        {**{name: getattr(user, name) for name in fields if name != "active_sessions"},
         "active_sessions": counts.get(user.id, 0)}
        for user in users
    ]  # fmt: skip


def _user_row(user_id: int) -> dict[str, Any]:
    user = db.session.get(User, user_id)
    assert user is not None
    return _with_sessions([user])[0]


def _target(user_id: int) -> User:
    return db.get_or_404(User, user_id, description="No such user.")


def _refused(error: admin.AdminRuleError) -> None:
    abort(409, str(error), error=error.code)


@blp.route("/admin/users")
class AdminUsers(MethodView):
    @protected(blp)
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, AdminUserSchema(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.paginate()
    def get(self, args: dict, pagination_parameters: PaginationParameters) -> list[Any]:
        """Users, oldest first, optionally matching `q` (admins)"""
        require_admin()
        stmt = select(User).order_by(User.id)
        if "q" in args:
            needle = args["q"].lower()
            stmt = stmt.where(
                or_(
                    func.lower(User.username).contains(needle, autoescape=True),
                    func.lower(User.email).contains(needle, autoescape=True),
                )
            )
        return _with_sessions(paginate(stmt, pagination_parameters))


@blp.route("/admin/users/<id:user_id>")
class AdminUserById(MethodView):
    @protected(blp, fresh=True)
    @blp.arguments(AdminUserUpdateSchema)
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data: dict, user_id: int) -> Any:
        """Grant or take away admin rights, from the user's next request (admins; fresh
        token; 409 own_account or last_admin)"""
        principal = require_admin()
        try:
            admin.set_admin(_target(user_id), data["is_admin"], actor_id=principal.id)
        except admin.AdminRuleError as error:
            _refused(error)
        return _user_row(user_id)


@blp.route("/admin/users/<id:user_id>/lock")
class LockUser(MethodView):
    @protected(blp, fresh=True)
    @blp.arguments(LockSchema)
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict, user_id: int) -> Any:
        """Lock an account: every session ends at once, and login answers 403
        account_locked (admins; fresh token; 409 own_account or last_admin)"""
        principal = require_admin()
        try:
            admin.lock(_target(user_id), data["reason"], actor_id=principal.id)
        except admin.AdminRuleError as error:
            _refused(error)
        return _user_row(user_id)


@blp.route("/admin/users/<id:user_id>/unlock")
class UnlockUser(MethodView):
    @protected(blp, fresh=True)
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, user_id: int) -> Any:
        """Unlock an account; it logs in again with its password (admins; fresh token)"""
        principal = require_admin()
        admin.unlock(_target(user_id), actor_id=principal.id)
        return _user_row(user_id)


@blp.route("/admin/users/<id:user_id>/logout")
class LogoutUser(MethodView):
    @protected(blp, fresh=True)
    @blp.response(200, AdminUserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, user_id: int) -> Any:
        """End every session of a user at once (admins; fresh token)"""
        principal = require_admin()
        admin.end_sessions(_target(user_id), actor_id=principal.id)
        return _user_row(user_id)


@blp.route("/admin/events")
class AdminEvents(MethodView):
    @protected(blp)
    @blp.arguments(EventQueryArgsSchema, location="query")
    @blp.response(200, EventSchema(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.paginate()
    def get(self, filters: dict, pagination_parameters: PaginationParameters) -> list[Any]:
        """Security events, newest first, filtered by user, name and time (admins)"""
        require_admin()
        return paginate(events.listing(filters), pagination_parameters)
