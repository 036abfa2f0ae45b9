"""Prometheus metrics (the official client) at /metrics, for a credential or allowed
addresses only. Under a multi-process server every worker writes its own files in
PROMETHEUS_MULTIPROC_DIR and /metrics sums them, so any worker gives the whole picture."""

import hmac
import ipaddress
import os

from flask import Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from web.api import error_response

REQUESTS = Counter(
    "http_requests_total",
    "Requests answered, by endpoint and status",
    ["method", "endpoint", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds", "Time to answer a request", ["method", "endpoint"]
)
EVENTS = Counter(
    "auth_events_total",
    "Security events: login, login_failed, refresh, reuse_detected, logout, logout_all, "
    "session_revoked, password_changed, user_deleted, register, throttled",
    ["event"],
)


# A client may send any method name; each would become a time series of its own, so any
# method HTTP does not define (RFC 9110 §9) is counted as "_OTHER" (OpenTelemetry's
# convention for http.request.method).
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
# Each request's labelled children, kept by their labels: `labels()` validates and looks
# them up under a lock on every call. Endpoints are route rules ("<unmatched>" for any
# unrouted path) and methods are the few above, so the keys stay few.
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration in `seconds`."""
    if method not in KNOWN_METHODS:
        method = "_OTHER"
    key = (method, endpoint, status)
    children = _children.get(key)
    if children is None:
        children = (
            REQUESTS.labels(method, endpoint, str(status)),
            LATENCY.labels(method, endpoint),
        )
        _children[key] = children
    children[0].inc()
    children[1].observe(seconds)


def count_event(name: str) -> None:
    EVENTS.labels(name).inc()


def init_app(app: Flask) -> None:
    app.add_url_rule("/metrics", "metrics", _metrics)


def _metrics() -> Response:
    if not _allowed():
        return error_response(  # type: ignore[return-value]
            401, "Metrics need METRICS_TOKEN as a bearer token or an allowed address."
        )
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _allowed() -> bool:
    """A bearer METRICS_TOKEN, or a client address in METRICS_ALLOWED_ADDRESSES; with
    neither configured nobody may read the metrics (they describe the traffic)."""
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    networks = current_app.config["METRICS_ALLOWED_ADDRESSES"]
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net.strip(), strict=False) for net in networks)
