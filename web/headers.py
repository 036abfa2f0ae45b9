"""Headers every response carries."""

from flask import Flask, Response

# Set on every answer, replacing any a view set.
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    # No page of this app may be framed by another site (clickjacking): CSP Level 2 for
    # current browsers, X-Frame-Options for older ones.
    "X-Frame-Options": "DENY",
}
# Set unless the view chose its own (the docs page sets a fuller policy).
_DEFAULTS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    # Token and account responses must never sit in a cache (RFC 6749 §5.1).
    "Cache-Control": "no-store",
}


def init_app(app: Flask) -> None:
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    # One pass over the headers: each Headers.set or setdefault scans them all, and this
    # runs on every answer.
    headers = response.headers
    present = {name.lower() for name, _ in headers}
    for name, value in _ALWAYS.items():
        if name.lower() in present:
            headers.set(name, value)
        else:
            headers.add(name, value)
    for name, value in _DEFAULTS.items():
        if name.lower() not in present:
            headers.add(name, value)
    return response
