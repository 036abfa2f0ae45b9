"""flask-jwt-extended's `@jwt_required` alone, as the tutorial sets it up: a signature and
expiry check, no revocation, no user. Served by gunicorn sync workers in the benchmark."""

import os

from flask import Flask
from flask_jwt_extended import JWTManager, create_access_token, get_jwt_identity, jwt_required


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]
    JWTManager(app)

    @app.get("/me")
    @jwt_required()
    def me() -> dict:
        return {"id": get_jwt_identity()}

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    return app


def token() -> str:
    """A day-long access token this app accepts."""
    from datetime import timedelta

    with create_app().app_context():
        return create_access_token(identity="1", expires_delta=timedelta(days=1))
