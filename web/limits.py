"""Request-head limits the app enforces itself, so that their errors carry the envelope.

The server (server.py) reads a request head of up to 64 KiB; anything over these smaller
limits reaches the app and is answered here with the JSON envelope and the security
headers, before throttling, authentication or any view. Only a head past the server's
own buffer, or with over 100 header fields, gets the server's bare 431 (README, Security).
"""

from flask import Flask, request
from werkzeug.exceptions import RequestHeaderFieldsTooLarge, RequestURITooLarge

# The request target (path and query string): RFC 9112 §3 recommends accepting at least
# 8,000 octets of request line; no route of this API needs more than a few hundred.
MAX_TARGET_BYTES = 8 * 1024
# All header names and values together, and how many there are (a token is under 2 KiB);
# the server itself refuses more than 100 fields, so the app's limit is below that.
MAX_HEADER_BYTES = 16 * 1024
MAX_HEADER_FIELDS = 64
_BODY_FIELDS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
_BODY_FIELDS_AS_HTTP = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})


def init_app(app: Flask) -> None:
    # First of all before_request hooks: nothing else should spend work on such a request.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_head)


def _check_head() -> None:
    if len(request.path) + len(request.query_string) > MAX_TARGET_BYTES:
        raise RequestURITooLarge(f"The request target is over {MAX_TARGET_BYTES} bytes.")
    # Counted on the WSGI environ, where the server put the fields, as werkzeug's
    # EnvironHeaders lists them (HTTP_* plus a non-empty CONTENT_TYPE and CONTENT_LENGTH;
    # a name is its key less "HTTP_"), without building each field's title-cased name.
    fields = size = 0
    for key, value in request.environ.items():
        if key.startswith("HTTP_"):
            if key in _BODY_FIELDS_AS_HTTP:
                continue
            fields, size = fields + 1, size + len(key) - 5 + len(value)
        elif key in _BODY_FIELDS and value:
            fields, size = fields + 1, size + len(key) + len(value)
    if fields > MAX_HEADER_FIELDS or size > MAX_HEADER_BYTES:
        raise RequestHeaderFieldsTooLarge(
            f"The request headers are over {MAX_HEADER_BYTES} bytes or {MAX_HEADER_FIELDS} fields."
        )
