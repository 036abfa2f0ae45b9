"""The access log, written by the app itself so it is the same under any server: one line
per request with its id, method, path (never the query string), status, duration, client."""

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from web import audit, metrics

log = logging.getLogger("access")
# A client's X-Request-ID is kept only when it is a plain token; anything else is replaced.
REQUEST_ID = r"[A-Za-z0-9._:-]{1,128}"


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.started = time.perf_counter()
    given = request.environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = given if re.fullmatch(REQUEST_ID, given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    # Every `request.x` goes through a context-local proxy; this hook runs on every
    # request, so it reads the request object once.
    current = request._get_current_object()  # type: ignore[attr-defined]
    started = g.get("started")
    duration = time.perf_counter() - started if started is not None else 0.0
    request_id = g.get("request_id") or uuid.uuid4().hex
    status = response.status_code
    response.headers["X-Request-ID"] = request_id
    method, path = current.method, current.path
    if status == 429:
        audit.event("throttled", None, None, path=path)
    endpoint = current.url_rule.rule if current.url_rule else "<unmatched>"
    metrics.observe_request(method, endpoint, status, duration)
    # json.dumps: under LOG_FORMAT=text too, a "\n" in the path stays inside the line.
    log.info(
        "%s %s %s",
        method,
        json.dumps(path),
        status,
        extra={
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(duration * 1000, 2),
            "client": current.remote_addr,
        },
    )
    return response
