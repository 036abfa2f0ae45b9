"""make bench: the API against its peers and a bare Flask floor, in one interleaved run.

Every server has 2 workers and is loaded by the same wrk settings, row after row, round
after round, so that drift in the machine's speed hits every row alike. Prints a table
(requests/s, p50, p99, ratio to the article's FastAPI /me) and writes it to
bench/results.md with the machine's description. BENCH_DATABASE_URL / BENCH_REDIS_URL add
the API on PostgreSQL + Redis to the same run (its public schema is dropped: never point
it at a database you keep).

BENCH_BASELINE=<a checkout of an earlier commit> adds that code's rows to the same run,
served and loaded the same way, and a before/after table of the targets: the way to show
that a change keeps every target the code met before. `git worktree add --detach
/tmp/before <commit>` makes one. With BENCH_DATABASE_URL it gets its own database beside
that one (<name>_baseline) and the next Redis database number.
"""

import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.*, server

from bench import slow  # noqa: E402
from bench.processes import (  # noqa: E402
    CONNECTIONS,
    PYTHON,
    ROOT,
    WORKERS,
    Server,
    granian,
    granian_baseline,
    gunicorn,
    uvicorn,
    wrk,
)

ROUNDS = int(os.getenv("BENCH_ROUNDS", "5"))
SECONDS = int(os.getenv("BENCH_SECONDS", "5"))
CYCLES = int(os.getenv("BENCH_CYCLES", "100000"))
REVOKED = int(os.getenv("BENCH_REVOKED", "1000000"))
SLOW_SECONDS = int(os.getenv("BENCH_SLOW_SECONDS", "20"))
SECRET = "benchmark-secret-that-is-long-enough-for-hs256!!"
DEFAULT_ROUNDS = 600_000
SERVICES = bool(os.getenv("BENCH_DATABASE_URL"))
BASELINE = Path(os.environ["BENCH_BASELINE"]).resolve() if os.getenv("BENCH_BASELINE") else None


def env_for(database: str, rounds: int, redis_url: str | None, root: Path = ROOT) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "DATABASE_URL", "REDIS_URL", "WEB_"))
    }
    env.update(
        DATABASE_URL=database,
        JWT_SECRET_KEY=SECRET,
        FLASK_SKIP_DOTENV="1",
        FLASK_RATELIMIT_ENABLED="false",
        FLASK_PASSWORD_HASH_ROUNDS=str(rounds),
        # The benchmark outlasts the default 15 minutes; its seeded tokens must not expire.
        FLASK_JWT_ACCESS_TOKEN_EXPIRES="86400",
        # An earlier checkout first, then this tree for what it lacks (server.py, web.logs).
        PYTHONPATH=str(ROOT) if root == ROOT else f"{root}{os.pathsep}{ROOT}",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def fresh_database(
    workdir: Path, name: str, services: bool, baseline: bool = False
) -> tuple[str, str | None]:
    if not services:
        return f"sqlite:///{workdir}/{name}.db", None
    import redis
    import sqlalchemy

    url, redis_url = os.environ["BENCH_DATABASE_URL"], os.getenv("BENCH_REDIS_URL")
    if baseline:
        url, redis_url = _beside(url, redis_url)
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()
    return url, redis_url


def _beside(url: str, redis_url: str | None) -> tuple[str, str | None]:
    """The baseline's own PostgreSQL database (created if missing) and Redis database
    number, so that the two codes never share rows or keys."""
    import redis
    import sqlalchemy

    main = sqlalchemy.make_url(url)
    own = main.set(database=f"{main.database}_baseline")
    engine = sqlalchemy.create_engine(main, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(
            sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :name"),
            {"name": own.database},
        ).first()
        if not exists:
            conn.execute(sqlalchemy.text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    if redis_url:
        number = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs.get("db", 0)
        # The number is the URL's path (redis-py also takes ?db=, which it then overrides).
        parts = urlsplit(redis_url)
        query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("db="))
        redis_url = urlunsplit(parts._replace(path=f"/{int(number) + 1}", query=query))
    return own.render_as_string(hide_password=False), redis_url


def prepare(
    workdir: Path,
    name: str,
    rounds: int,
    refresh_files: int,
    revoked: int,
    services=False,
    root: Path = ROOT,
) -> dict:
    """A migrated, seeded database for the code in `root` (this tree, or BENCH_BASELINE),
    each with its own migrations and seed script."""
    out = workdir / name
    out.mkdir()
    url, redis_url = fresh_database(workdir, name, services, baseline=root != ROOT)
    env = env_for(url, rounds, redis_url, root)
    flask = [PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"]
    subprocess.run(flask, cwd=root, env=env, check=True, capture_output=True)
    seed = [PYTHON, str(root / "bench" / "seed.py"), str(out), str(refresh_files), "20000"]
    subprocess.run([*seed, str(revoked)], cwd=root, env=env, check=True)
    return {"env": env, "dir": out, "access": (out / "access.txt").read_text().strip()}


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _verifies_per_second(rounds: int) -> float:
    from passlib.hash import pbkdf2_sha256

    stored = pbkdf2_sha256.using(rounds=rounds).hash("x")
    seconds = timeit.repeat(lambda: pbkdf2_sha256.verify("x", stored), number=1, repeat=5)
    return 1 / statistics.median(seconds)


def hash_ceiling(rounds: int) -> float:
    """Password verifies per second with every core verifying at once (a process per
    core, as the server's workers do): what hashing alone allows on this machine now.
    Timing one verify on an idle core and multiplying by the cores overstates it when
    the cores slow down under load together."""
    cores = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        return sum(pool.map(_verifies_per_second, [rounds] * cores))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def peer_tokens() -> dict[str, str]:
    os.environ["JWT_SECRET_KEY"] = SECRET
    from bench import article, jwt_only

    return {"article": article.create_access_token("1"), "jwt_only": jwt_only.token()}


def throughput(workdir: Path) -> tuple[dict, dict, dict]:
    """Every row, ROUNDS times, interleaved; then login against its ceiling."""
    sqlite = prepare(workdir, "main", DEFAULT_ROUNDS, ROUNDS, 0)
    services = prepare(workdir, "services", DEFAULT_ROUNDS, ROUNDS, 0, True) if SERVICES else None
    apis = {"api": sqlite, "services": services}
    if BASELINE:
        apis["baseline"] = prepare(workdir, "baseline", DEFAULT_ROUNDS, ROUNDS, 0, root=BASELINE)
        if SERVICES:
            apis["baseline-services"] = prepare(
                workdir, "baseline-services", DEFAULT_ROUNDS, ROUNDS, 0, True, BASELINE
            )
    tokens = peer_tokens()
    servers = {
        "floor": Server(granian("bench.floor:create_app"), sqlite["env"], 5101),
        "article": Server(uvicorn("bench.article:app"), sqlite["env"], 5102),
        "jwt_only": Server(gunicorn("bench.jwt_only:create_app()"), sqlite["env"], 5103),
        "api": Server(granian("app:create_app"), sqlite["env"], 5104),
    }
    if services:
        servers["services"] = Server(granian("app:create_app"), services["env"], 5105)
    for port, key in ((5110, "baseline"), (5111, "baseline-services")):
        if apis.get(key):
            command = granian_baseline("app:create_app")
            servers[key] = Server(command, apis[key]["env"], port, cwd=BASELINE)
    rows: dict[str, list[dict]] = {}

    def measure(name: str, url: str, **options) -> None:
        rows.setdefault(name, []).append(wrk(url, SECONDS, **options))

    try:
        # Unrecorded: a worker's first requests fill its caches (compiled statements,
        # imports on first use), which would count against whichever row comes first.
        for key, db in apis.items():
            if db is not None:
                for path in ("/me", "/item?page_size=20"):
                    wrk(servers[key].url + path, 2, headers=bearer(db["access"]))
        for n in range(ROUNDS):
            print(f"round {n + 1}/{ROUNDS}", flush=True)
            measure("floor", servers["floor"].url + "/me")
            measure("article", servers["article"].url + "/me", headers=bearer(tokens["article"]))
            measure("jwt_only", servers["jwt_only"].url + "/me", headers=bearer(tokens["jwt_only"]))
            for key, db in apis.items():
                if db is None:
                    continue
                url, auth = servers[key].url, bearer(db["access"])
                measure(f"me:{key}", url + "/me", headers=auth)
                measure(f"item:{key}", url + "/item?page_size=20", headers=auth)
                spend = {"TOKENS": str(db["dir"] / f"refresh-{n}.txt")}
                measure(f"refresh:{key}", url, script="refresh.lua", extra_env=spend)
        print("login at the default rounds ...", flush=True)
        # The ceiling is timed between the login runs, so that drift hits both alike.
        logins = [key for key in ("api", "baseline") if key in servers]
        runs: dict[str, list[dict]] = {key: [] for key in logins}
        ceilings = [hash_ceiling(DEFAULT_ROUNDS)]
        for n in range(4 if BASELINE else 3):
            # With a baseline the two take turns at going first: the later run of a pair
            # meets a machine warmed (or slowed) by the earlier one.
            for key in logins if n % 2 == 0 else logins[::-1]:
                url = servers[key].url + "/login"
                runs[key].append(wrk(url, 10, connections=8, script="login.lua"))
                ceilings.append(hash_ceiling(DEFAULT_ROUNDS))
        ceiling = {"ceiling": statistics.median(ceilings)}
        login = {key: median_of(runs[key]) | ceiling for key in logins}
        print(f"slow clients ({SLOW_SECONDS} s) ...", flush=True)
        slow_result = slow.check(servers["api"], wrk, seconds=SLOW_SECONDS)
    finally:
        for server in servers.values():
            server.stop()
    return rows, login, slow_result


def revocations(workdir: Path) -> dict[str, list[dict]]:
    """GET /me against an empty store and one with REVOKED revoked tokens (SQLite)."""
    print(f"GET /me with {REVOKED:,} revoked tokens ...", flush=True)
    stores = {"empty": prepare(workdir, "empty", 1000, 0, 0)}
    stores["full"] = prepare(workdir, "revoked", 1000, 0, REVOKED)
    servers = {
        name: Server(granian("app:create_app"), db["env"], 5106 + i)
        for i, (name, db) in enumerate(stores.items())
    }
    rows: dict[str, list[dict]] = {"empty": [], "full": []}
    try:
        for _ in range(ROUNDS):
            for name, server in servers.items():
                rows[name].append(
                    wrk(server.url + "/me", SECONDS, headers=bearer(stores[name]["access"]))
                )
    finally:
        for server in servers.values():
            server.stop()
    return rows


def memory(workdir: Path) -> tuple[list[int], list[int], int]:
    print(f"memory over {CYCLES:,} login/logout cycles ...", flush=True)
    cycle_db = prepare(workdir, "cycles", 1000, 0, 0)
    server = Server(granian("app:create_app"), cycle_db["env"], 5108)
    try:
        # One connection per wrk thread: a thread's Lua state holds its login's token.
        # wrk runs for its whole duration even once the script stops, so the warm-up
        # measures the rate and the main run is sized from it.
        forever = {"CYCLES": "1e12"}
        # Two connections may both land on one worker, leaving the other cold: its "before"
        # then misses its own warm-up (+17.6 MB in one run, flat once warm). Enough
        # connections first for every worker to serve its share.
        wrk(server.url, 10, connections=4 * WORKERS, script="cycle.lua", extra_env=forever)
        warmup = wrk(server.url, 10, connections=2, script="cycle.lua", extra_env=forever)
        before = server.worker_rss_kb()
        seconds = int(CYCLES / (warmup["rps"] / 2) * 1.3) + 5
        cycles = {"CYCLES": str(CYCLES)}
        run = wrk(server.url, seconds, connections=2, script="cycle.lua", extra_env=cycles)
        after = server.worker_rss_kb()
    finally:
        server.stop()
    return before, after, run["requests"] // 2


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    print(f"preparing databases in {workdir} ...", flush=True)
    rows, login, slow_result = throughput(workdir)
    revoked = revocations(workdir)
    before, after, cycles = memory(workdir)
    from bench.report import report

    report(rows, login, slow_result, revoked, REVOKED, before, after, cycles, settings())
    shutil.rmtree(workdir, ignore_errors=True)


def settings() -> str:
    return (
        f"{platform.node()}: {os.cpu_count()} cores, {platform.processor() or platform.machine()}"
        f", Python {platform.python_version()}, {WORKERS} workers per server, wrk -t2 "
        f"-c{CONNECTIONS} (keep-alive), medians of {ROUNDS} interleaved {SECONDS}s rounds, "
        f"{time.strftime('%Y-%m-%d')}"
    )


if __name__ == "__main__":
    main()
