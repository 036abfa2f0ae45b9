"""gunicorn settings for `make run` and production (`gunicorn -c gunicorn.conf.py ...`)."""

import os

bind = f"{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '5000')}"
workers = int(os.getenv("WEB_CONCURRENCY", "2"))
# Sync workers: the app is CPU-bound (hashing, signatures) and each request is short.
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 2
# Several instances on one host would fight over one control socket.
control_socket_disable = True
# The app writes its own access log (web/access_log.py), the same under any server.
accesslog = None


def on_starting(server: object) -> None:
    """Before any worker forks: settings, database and Redis checked once (one line
    rather than one per worker), and the directory where every worker's metrics go."""
    import tempfile
    from pathlib import Path

    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="jwt-api-metrics-"))
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()  # counts of a previous run would be added to this one's
    from app import check_start

    check_start()
