"""make bench: the API against its peers and a bare Flask floor, in one interleaved run.

Every server has 2 workers and is loaded by the same wrk settings, row after row, round
after round, so that drift in the machine's speed hits every row alike. Prints a table
(requests/s, p50, p99, ratio to the article's FastAPI /me) and writes it to
bench/results.md with the machine's description. BENCH_DATABASE_URL / BENCH_REDIS_URL add
the API on PostgreSQL + Redis to the same run (its public schema is dropped: never point
it at a database you keep).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.*, server

from bench import slow  # noqa: E402
from bench.processes import (  # noqa: E402
    BENCH,
    CONNECTIONS,
    PYTHON,
    ROOT,
    WORKERS,
    Server,
    granian,
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


def env_for(database: str, rounds: int, redis_url: str | None) -> dict[str, str]:
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
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def fresh_database(workdir: Path, name: str, services: bool) -> tuple[str, str | None]:
    if not services:
        return f"sqlite:///{workdir}/{name}.db", None
    import redis
    import sqlalchemy

    url, redis_url = os.environ["BENCH_DATABASE_URL"], os.getenv("BENCH_REDIS_URL")
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()
    return url, redis_url


def prepare(
    workdir: Path, name: str, rounds: int, refresh_files: int, revoked: int, services=False
) -> dict:
    out = workdir / name
    out.mkdir()
    url, redis_url = fresh_database(workdir, name, services)
    env = env_for(url, rounds, redis_url)
    flask = [PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"]
    subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)
    seed = [PYTHON, str(BENCH / "seed.py"), str(out), str(refresh_files), "20000", str(revoked)]
    subprocess.run(seed, cwd=ROOT, env=env, check=True)
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
    tokens = peer_tokens()
    servers = {
        "floor": Server(granian("bench.floor:create_app"), sqlite["env"], 5101),
        "article": Server(uvicorn("bench.article:app"), sqlite["env"], 5102),
        "jwt_only": Server(gunicorn("bench.jwt_only:create_app()"), sqlite["env"], 5103),
        "api": Server(granian("app:create_app"), sqlite["env"], 5104),
    }
    if services:
        servers["services"] = Server(granian("app:create_app"), services["env"], 5105)
    rows: dict[str, list[dict]] = {}

    def measure(name: str, url: str, **options) -> None:
        rows.setdefault(name, []).append(wrk(url, SECONDS, **options))

    try:
        for n in range(ROUNDS):
            print(f"round {n + 1}/{ROUNDS}", flush=True)
            measure("floor", servers["floor"].url + "/me")
            measure("article", servers["article"].url + "/me", headers=bearer(tokens["article"]))
            measure("jwt_only", servers["jwt_only"].url + "/me", headers=bearer(tokens["jwt_only"]))
            for key, db in (("api", sqlite), ("services", services)):
                if db is None:
                    continue
                url, auth = servers[key].url, bearer(db["access"])
                measure(f"me:{key}", url + "/me", headers=auth)
                measure(f"item:{key}", url + "/item?page_size=20", headers=auth)
                spend = {"TOKENS": str(db["dir"] / f"refresh-{n}.txt")}
                measure(f"refresh:{key}", url, script="refresh.lua", extra_env=spend)
        print("login at the default rounds ...", flush=True)
        # The ceiling is timed between the login runs, so that drift hits both alike.
        runs, ceilings = [], [hash_ceiling(DEFAULT_ROUNDS)]
        for _ in range(3):
            login = servers["api"].url + "/login"
            runs.append(wrk(login, 10, connections=8, script="login.lua"))
            ceilings.append(hash_ceiling(DEFAULT_ROUNDS))
        login = median_of(runs) | {"ceiling": statistics.median(ceilings)}
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
