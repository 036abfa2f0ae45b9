"""The first page a newcomer opens: where the documentation, the contract and health are."""

from flask.views import MethodView
from marshmallow import Schema, fields

from web.blueprint import Blueprint

blp = Blueprint("index", __name__, description="Where to start")

LINKS = {
    "docs": "/swagger-ui",
    "openapi": "/openapi.json",
    "health": "/health/ready",
    "live": "/health/live",
}


class IndexSchema(Schema):
    message = fields.String(required=True)
    docs = fields.String(required=True, metadata={"example": LINKS["docs"]})
    openapi = fields.String(required=True, metadata={"example": LINKS["openapi"]})
    health = fields.String(required=True, metadata={"example": LINKS["health"]})
    live = fields.String(required=True, metadata={"example": LINKS["live"]})


@blp.route("/")
class Index(MethodView):
    @blp.response(200, IndexSchema)
    def get(self) -> dict:
        """Links to the interactive documentation, the OpenAPI document and health"""
        return {"message": "Flask JWT Auth API: start with the docs.", **LINKS}
