"""Tags: named within a store, linked to that store's items."""

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from sqlalchemy import select

from auth.permissions import protected, require_admin, require_owner_or_admin
from extensions import db
from models import Store, Tag
from resources.items import get_item_or_404
from schemas.tag import TagAndItemSchema, TagSchema
from schemas.user import MessageSchema
from web.api import abort
from web.blueprint import Blueprint
from web.pagination import paginate

blp = Blueprint("tags", __name__, description="Tags of a store's items")


def get_tag_or_404(tag_id: int) -> Tag:
    return db.get_or_404(Tag, tag_id, description="No such tag.")


@blp.route("/store/<id:store_id>/tag")
class TagsInStore(MethodView):
    @protected(blp)
    @blp.response(200, TagSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate()
    def get(self, store_id: int, pagination_parameters: PaginationParameters) -> list[Tag]:
        """List a store's tags"""
        db.get_or_404(Store, store_id, description="No such store.")
        stmt = select(Tag).where(Tag.store_id == store_id).order_by(Tag.id)
        return paginate(stmt, pagination_parameters)

    @protected(blp)
    @blp.arguments(TagSchema)
    @blp.response(201, TagSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict, store_id: int) -> Tag:
        """Create a tag in a store (its owner or an admin); names are unique in the store"""
        store = db.get_or_404(Store, store_id, description="No such store.")
        require_owner_or_admin(store.owner_id)
        taken = select(Tag.id).where(Tag.store_id == store_id, Tag.name == data["name"])
        if db.session.scalar(taken) is not None:
            abort(409, "This store already has a tag with that name.")
        tag = Tag(name=data["name"], store_id=store_id)
        db.session.add(tag)
        db.session.commit()
        return tag


@blp.route("/item/<id:item_id>/tag/<id:tag_id>")
class LinkTagsToItem(MethodView):
    @protected(blp)
    @blp.response(201, TagSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, item_id: int, tag_id: int) -> Tag:
        """Link a tag to an item of the same store (the item's store's owner or an admin)"""
        item, tag = get_item_or_404(item_id), get_tag_or_404(tag_id)
        require_owner_or_admin(item.store.owner_id)
        if tag.store_id != item.store_id:
            abort(422, "The tag belongs to another store than the item.")
        if tag in item.tags:
            abort(409, "The item already has this tag.")
        item.tags.append(tag)
        db.session.commit()  # a racing duplicate link fails here: IntegrityError, 409
        return tag

    @protected(blp)
    @blp.response(200, TagAndItemSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, item_id: int, tag_id: int) -> dict:
        """Unlink a tag from an item (the item's store's owner or an admin)"""
        item, tag = get_item_or_404(item_id), get_tag_or_404(tag_id)
        require_owner_or_admin(item.store.owner_id)
        if tag not in item.tags:
            abort(404, "The item does not have this tag.")
        item.tags.remove(tag)
        db.session.commit()
        return {"message": "Tag removed from the item.", "item": item, "tag": tag}


@blp.route("/tag/<id:tag_id>")
class TagById(MethodView):
    @protected(blp)
    @blp.response(200, TagSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, tag_id: int) -> Tag:
        """A tag with its store and items"""
        return get_tag_or_404(tag_id)

    @protected(blp)
    @blp.response(200, MessageSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, tag_id: int) -> dict:
        """Delete a tag that no item uses (admins only)"""
        require_admin()
        tag = get_tag_or_404(tag_id)
        if tag.items:
            abort(409, "The tag is still linked to items; unlink them first.")
        db.session.delete(tag)
        db.session.commit()
        return {"message": "Tag deleted."}
