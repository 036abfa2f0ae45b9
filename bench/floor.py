"""The floor: a bare Flask JSON endpoint, served with the same gunicorn settings as the API."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/me")
    def me() -> dict:
        return {"id": 1, "username": "alice", "is_admin": False, "created_at": "2026-01-01"}

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    return app
