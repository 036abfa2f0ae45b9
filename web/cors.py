"""Cross-origin access (flask-cors): only the exact origins in CORS_ORIGINS, with
credentials, so that a single-page app on another origin can use the cookie transport.
No origin listed: no Access-Control-Allow-Origin on any answer, so browsers keep every
other site's scripts out."""

from flask import Flask, Response
from flask_cors import CORS

# What a browser client sends beyond the simple headers, and what it may read back.
ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-CSRF-TOKEN", "X-Request-ID"]
EXPOSED_HEADERS = ["X-Pagination", "Retry-After", "X-Request-ID", "WWW-Authenticate"]


def init_app(app: Flask) -> None:
    origins = app.config["CORS_ORIGINS"]  # a list of exact origins, checked by config.load
    if not origins:
        return
    CORS(
        app,
        origins=origins,
        supports_credentials=True,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        max_age=600,
        always_send=False,  # no Origin, no CORS headers
    )
    app.after_request(_vary_on_origin)


def _vary_on_origin(response: Response) -> Response:
    # Every answer may differ by Origin (allowed or not): a shared cache must not hand one
    # origin's copy to another.
    response.vary.add("Origin")
    return response
