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
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if re.fullmatch(REQUEST_ID, given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.get("started")
    duration = time.perf_counter() - started if started is not None else 0.0
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    if response.status_code == 429:
        audit.event("throttled", None, None, path=request.path)
    endpoint = request.url_rule.rule if request.url_rule else "<unmatched>"
    metrics.observe_request(request.method, endpoint, response.status_code, duration)
    # json.dumps: under LOG_FORMAT=text too, a "\n" in the path stays inside the line.
    log.info(
        "%s %s %s",
        request.method,
        json.dumps(request.path),
        response.status_code,
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 2),
            "client": request.remote_addr,
        },
    )
    return response
