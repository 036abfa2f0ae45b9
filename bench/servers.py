"""How server.py's server was chosen: the API's GET /me and the bare floor under each
candidate WSGI server, 2 workers each, interleaved (`.venv/bin/python bench/servers.py`
after `make bench` installed the peers). Prints a table; the README keeps the last one."""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.processes import Server, granian, gunicorn, wrk  # noqa: E402
from bench.report import median_of  # noqa: E402
from bench.run import DEFAULT_ROUNDS, ROUNDS, SECONDS, bearer, prepare  # noqa: E402

CANDIDATES = {
    "gunicorn sync, Python parser": lambda app: gunicorn(app, "--http-parser", "python"),
    "gunicorn sync, C parser (gunicorn-h1c)": lambda app: gunicorn(app, "--http-parser", "fast"),
    "gunicorn gthread, 4 threads, C parser": lambda app: gunicorn(
        app, "-k", "gthread", "--threads", "4", "--http-parser", "fast"
    ),
    "granian (server.py)": None,
}


def main() -> None:
    db = prepare(Path(tempfile.mkdtemp(prefix="bench-servers-")), "main", DEFAULT_ROUNDS, 0, 0)
    servers: dict[tuple[str, str], Server] = {}
    port = 5120
    for name, command in CANDIDATES.items():
        for app, factory in (("floor", "bench.floor:create_app"), ("api", "app:create_app")):
            cmd = granian(factory) if command is None else command(factory + "()")
            servers[name, app] = Server(cmd, db["env"], port)
            port += 1
    rows: dict[tuple[str, str], list[dict]] = {key: [] for key in servers}
    try:
        for n in range(ROUNDS):
            print(f"round {n + 1}/{ROUNDS}", flush=True)
            for (name, app), server in servers.items():
                headers = bearer(db["access"]) if app == "api" else None
                rows[name, app].append(wrk(server.url + "/me", SECONDS, headers=headers))
    finally:
        for server in servers.values():
            server.stop()
    print("\n| server | floor requests/s | GET /me requests/s | GET /me p99 ms |")
    print("|---|---|---|---|")
    for name in CANDIDATES:
        floor, me = median_of(rows[name, "floor"]), median_of(rows[name, "api"])
        print(f"| {name} | {floor['rps']:.0f} | {me['rps']:.0f} | {me['p99']:.1f} |")


if __name__ == "__main__":
    main()
