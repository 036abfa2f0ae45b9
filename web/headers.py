"""Headers every response carries."""

from flask import Flask, Response


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    # No page of this app may be framed by another site (clickjacking): CSP Level 2 for
    # current browsers, X-Frame-Options for older ones. The docs page sets a fuller CSP.
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    # Token and account responses must never sit in a cache (RFC 6749 §5.1).
    response.headers.setdefault("Cache-Control", "no-store")
    return response
