"""Swagger UI's assets, served by the app itself: a CDN would leave the page blank offline."""

import base64
import hashlib
import re
from pathlib import Path

import flask_swagger_ui
from flask import Flask, Response, request, send_from_directory

SWAGGER_ASSETS = Path(flask_swagger_ui.__file__).parent / "dist"


# Everything from this app, nothing from elsewhere: the page works offline and an
# injected script or a foreign frame has nowhere to come from. Swagger UI styles elements
# inline; its one inline script is allowed by its hash, computed from the page served.
_DOCS_POLICY = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_INLINE_SCRIPT = r"<script>(.*?)</script>"
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"


def init_app(app: Flask) -> None:
    app.add_url_rule("/swagger-ui-assets/<path:filename>", "swagger_ui_assets", _swagger_asset)
    app.after_request(_docs_policy)


def _docs_policy(response: Response) -> Response:
    if request.endpoint != DOCS_ENDPOINT or response.mimetype != "text/html":
        return response
    scripts = re.findall(_INLINE_SCRIPT, response.get_data(as_text=True), re.DOTALL)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    response.headers["Content-Security-Policy"] = _DOCS_POLICY.format(hashes=hashes)
    return response


def _swagger_asset(filename: str) -> Response:
    return send_from_directory(SWAGGER_ASSETS, filename, max_age=3600)
