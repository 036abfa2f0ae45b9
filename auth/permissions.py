"""Who may call what: the bearer requirement (enforced and documented) and the admin rule."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask_jwt_extended import get_current_user, jwt_required

from auth.revocation import Principal
from web.api import abort
from web.blueprint import Blueprint

F = TypeVar("F", bound=Callable[..., Any])


def protected(blp: Blueprint, *, fresh: bool = False, refresh: bool = False) -> Callable[[F], F]:
    """`jwt_required`, plus the bearer scheme and the 401 in the OpenAPI document."""

    def decorator(func: F) -> F:
        func = blp.alt_response(401, response="UNAUTHORIZED")(func)
        # Swagger UI offers one slot per scheme: the refresh token gets its own.
        scheme = "refreshAuth" if refresh else "bearerAuth"
        func = Blueprint.doc(security=[{scheme: []}])(func)
        return jwt_required(fresh=fresh, refresh=refresh)(func)

    return decorator


def caller() -> Principal:
    principal: Principal = get_current_user()
    return principal


def require_self_or_admin(user_id: int) -> Principal:
    principal = caller()
    if principal.id != user_id and not principal.is_admin:
        abort(403, "Only the user themself or an admin may do this.")
    return principal


def require_admin() -> Principal:
    principal = caller()
    if not principal.is_admin:
        abort(403, "Only an admin may do this.")
    return principal


def require_owner_or_admin(owner_id: int | None) -> Principal:
    """A store's contents are changed by its owner or an admin (403 otherwise); a store
    without an owner by admins only."""
    principal = caller()
    if principal.id != owner_id and not principal.is_admin:
        abort(403, "Only the store's owner or an admin may change it.")
    return principal
