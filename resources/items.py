"""Items for sale, each in one store."""

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from auth.permissions import protected, require_admin, require_owner_or_admin
from extensions import db
from models import Item, Store
from models.listings import item_page
from schemas.item import ItemQueryArgsSchema, ItemSchema, ItemUpdateSchema
from schemas.user import MessageSchema
from web.api import abort
from web.blueprint import Blueprint
from web.pagination import page_number

blp = Blueprint("items", __name__, description="Items for sale")


def get_item_or_404(item_id: int) -> Item:
    return db.get_or_404(Item, item_id, description="No such item.")


@blp.route("/item")
class Items(MethodView):
    @protected(blp)
    @blp.arguments(ItemQueryArgsSchema, location="query")
    @blp.response(200, ItemSchema(many=True))
    @blp.paginate()
    def get(self, filters: dict, pagination_parameters: PaginationParameters) -> Response:
        """List items, optionally of one store"""
        size = pagination_parameters.page_size
        offset = (page_number(pagination_parameters) - 1) * size
        items, pagination_parameters.item_count = item_page(filters, size, offset)
        # Already in ItemSchema's shape: a Response skips dumping it a second time.
        return jsonify(items)

    @protected(blp, fresh=True)
    @blp.arguments(ItemSchema)
    @blp.response(201, ItemSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, data: dict) -> Item:
        """Create an item in a store (the store's owner or an admin; needs a fresh token)"""
        store = db.session.get(Store, data["store_id"])
        if store is None:
            abort(422, "No such store.", errors={"json": {"store_id": ["No such store."]}})
        require_owner_or_admin(store.owner_id)
        item = Item(**data)
        db.session.add(item)
        db.session.commit()
        return item


@blp.route("/item/<id:item_id>")
class ItemById(MethodView):
    @protected(blp)
    @blp.response(200, ItemSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, item_id: int) -> Item:
        """An item with its store and tags"""
        return get_item_or_404(item_id)

    @protected(blp)
    @blp.arguments(ItemUpdateSchema)
    @blp.response(200, ItemSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, data: dict, item_id: int) -> Item:
        """Replace an item's name and price (the store's owner or an admin)"""
        item = get_item_or_404(item_id)
        require_owner_or_admin(item.store.owner_id)
        item.update(data)
        db.session.commit()
        return item

    @protected(blp)
    @blp.response(200, MessageSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, item_id: int) -> dict:
        """Delete an item (admins only)"""
        require_admin()
        db.session.delete(get_item_or_404(item_id))
        db.session.commit()
        return {"message": "Item deleted."}
