"""The production server: granian serving `app:create_app()` over WSGI (`python server.py`).

Chosen by measurement (README, Performance): granian parses HTTP in Rust, keeps
connections alive and reads every request's headers before a worker thread sees it, so
a slow client holds a socket, never a worker. Settings come from the environment:
HOST, PORT, WEB_CONCURRENCY (worker processes), WEB_THREADS (threads per worker).
"""

import errno
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

# The largest request head (request line and headers) granian reads. Smaller heads that
# pass the app's own limits (web/limits.py) are answered by the app in the JSON envelope;
# past this granian answers 431 itself, with no body (README, Security).
HEAD_BUFFER_BYTES = 64 * 1024


def _logging() -> dict[str, Any]:
    """granian's own lines (workers started, stopped, failed) in the app's format, on
    standard error (web/logs.py); the access log is the app's own (web/access_log.py), the
    same under any server, so granian's is off."""
    from web.logs import FORMATTERS

    formatter = FORMATTERS.get(os.getenv("LOG_FORMAT", "json").lower(), FORMATTERS["json"])
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {"_granian": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
    }


def _number(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        sys.exit(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def settings(target: str = "app:create_app", access_log: bool = False) -> dict[str, Any]:
    """granian's keyword arguments, from the environment; `target` is an app factory."""
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    port = _number("PORT", os.getenv("PORT", "5000"))
    if port > 65535:
        sys.exit(f"PORT must be at most 65535, not {port}")
    return {
        "target": target,
        "factory": True,
        "interface": Interfaces.WSGI,
        "websockets": False,
        "address": os.getenv("HOST", "127.0.0.1"),
        "port": port,
        "workers": _number("WEB_CONCURRENCY", os.getenv("WEB_CONCURRENCY", "2")),
        # Threads share one GIL per worker: a few keep a slow database call or a login's
        # hash from stalling the others, more only add switching.
        "blocking_threads": _number("WEB_THREADS", os.getenv("WEB_THREADS", "4")),
        # A client must send its whole request head within 10 s (gunicorn: 30 s, then a
        # killed worker); until then it holds only a socket.
        "http1_settings": HTTP1Settings(
            header_read_timeout=10_000, max_buffer_size=HEAD_BUFFER_BYTES
        ),
        "log_access": access_log,
        "log_dictconfig": _logging(),
        "respawn_failed_workers": True,
        # SIGTERM: requests in progress get 20 s to finish, as before.
        "workers_kill_timeout": 20,
    }


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # No SO_REUSEPORT: a second instance on the same port must not start silently.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


def _before_workers() -> None:
    """Once, before any worker starts: the directory where every worker's metrics go
    (emptied: a previous run's counts would be added to this one's), then the settings,
    the database (reachable and migrated) and Redis (a warning) checked, so that a bad
    setting prints one line rather than one per worker."""
    folder = os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="jwt-api-metrics-")
    )
    for stale in Path(folder).glob("*.db"):
        stale.unlink()
    from app import check_start

    check_start()


def serve(target: str = "app:create_app", access_log: bool = False) -> None:
    """Check the port and the app, say where the API and its Swagger UI are, and serve
    until SIGTERM."""
    options = settings(target, access_log)
    host, port = options["address"], options["port"]
    if port_in_use(host, port):
        sys.exit(
            f"Port {port} is already in use: choose another with PORT=... "
            f"(make run PORT={port + 1})"
        )
    if target == "app:create_app":
        _before_workers()
    base = f"http://{host}:{port}"
    print(f"Serving on {base}; Swagger UI: {base}/swagger-ui", flush=True)
    from granian.server import Server

    Server(**options).serve()


def main() -> None:
    serve()


if __name__ == "__main__":
    main()
