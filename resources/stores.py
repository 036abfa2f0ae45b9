"""Stores; deleting one deletes its items and tags."""

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from auth.permissions import caller, protected, require_admin
from extensions import db
from models import Item, Store, Tag, items_tags
from schemas.store import StoreSchema
from schemas.user import MessageSchema
from web.api import abort
from web.blueprint import Blueprint
from web.pagination import paginate

blp = Blueprint("stores", __name__, description="Stores")


def _with_contents():
    return select(Store).options(selectinload(Store.items), selectinload(Store.tags))


@blp.route("/store")
class Stores(MethodView):
    @protected(blp)
    @blp.response(200, StoreSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> list[Store]:
        """List stores with their items and tags"""
        return paginate(_with_contents().order_by(Store.id), pagination_parameters)

    @protected(blp)
    @blp.arguments(StoreSchema)
    @blp.response(201, StoreSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict) -> Store:
        """Create a store, owned by the caller; names are unique"""
        if db.session.scalar(select(Store.id).where(Store.name == data["name"])) is not None:
            abort(409, "A store with that name already exists.")
        store = Store(name=data["name"], owner_id=caller().id)
        db.session.add(store)
        db.session.commit()
        return store


@blp.route("/store/<id:store_id>")
class StoreById(MethodView):
    @protected(blp)
    @blp.response(200, StoreSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, store_id: int) -> Store:
        """A store with its items and tags"""
        store = db.session.scalar(_with_contents().where(Store.id == store_id))
        if store is None:
            abort(404, "No such store.")
        return store

    @protected(blp)
    @blp.response(200, MessageSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, store_id: int) -> dict:
        """Delete a store with its items and tags (admins only)"""
        require_admin()
        store = db.get_or_404(Store, store_id, description="No such store.")
        # In this order: links, items, then tags, which a link would hold back.
        item_ids = select(Item.id).where(Item.store_id == store_id)
        db.session.execute(delete(items_tags).where(items_tags.c.item_id.in_(item_ids)))
        db.session.execute(delete(Item).where(Item.store_id == store_id))
        db.session.execute(delete(Tag).where(Tag.store_id == store_id))
        db.session.delete(store)
        db.session.commit()
        return {"message": "Store deleted, with its items and tags."}
