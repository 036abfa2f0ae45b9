"""Swagger UI's assets, served by the app itself: a CDN would leave the page blank offline."""

from pathlib import Path

import flask_swagger_ui
from flask import Flask, Response, send_from_directory

SWAGGER_ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"


def init_app(app: Flask) -> None:
    app.add_url_rule("/swagger-ui-assets/<path:filename>", "swagger_ui_assets", _swagger_asset)


def _swagger_asset(filename: str) -> Response:
    return send_from_directory(SWAGGER_ASSETS, filename, max_age=3600)
