"""make bench: the API against a bare Flask floor, with the same gunicorn and wrk settings.

Prints a table (requests/s, p50, p99, ratio to the floor) and writes it to
bench/results.md with the machine's description. BENCH_DATABASE_URL / BENCH_REDIS_URL
run it on PostgreSQL + Redis instead of a throwaway SQLite file.
"""

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.request
from pathlib import Path

# The app is imported as installed (`make bench` installs the project into .venv).
ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
ROUNDS = int(os.getenv("BENCH_ROUNDS", "5"))
SECONDS = int(os.getenv("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.getenv("BENCH_CONNECTIONS", "32"))
CYCLES = int(os.getenv("BENCH_CYCLES", "100000"))
REVOKED = int(os.getenv("BENCH_REVOKED", "1000000"))
WORKERS = 2
THREADS = 2  # wrk threads; the Lua scripts split their work by it
SECRET = "benchmark-secret-that-is-long-enough-for-hs256!!"
DEFAULT_ROUNDS = 600_000


def env_for(database: str, rounds: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database,
        JWT_SECRET_KEY=SECRET,
        FLASK_SKIP_DOTENV="1",
        FLASK_RATELIMIT_ENABLED="false",
        FLASK_PASSWORD_HASH_ROUNDS=str(rounds),
        WEB_CONCURRENCY=str(WORKERS),
        # The benchmark outlasts the default 15 minutes; its seeded tokens must not expire.
        FLASK_JWT_ACCESS_TOKEN_EXPIRES="86400",
    )
    if os.getenv("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def fresh_database(workdir: Path, name: str) -> str:
    url = os.getenv("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{workdir}/{name}.db"
    import sqlalchemy

    # Everything in the benchmark database's public schema goes: never point it at yours.
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    if os.getenv("BENCH_REDIS_URL"):
        import redis

        redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]).flushdb()
    return url


def prepare(workdir: Path, name: str, rounds: int, refresh_files: int, revoked: int) -> dict:
    out = workdir / name
    out.mkdir()
    env = env_for(fresh_database(workdir, name), rounds)
    flask = [PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"]
    subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)
    seed = [PYTHON, str(BENCH / "seed.py"), str(out), str(refresh_files), "20000", str(revoked)]
    subprocess.run(seed, cwd=ROOT, env=env, check=True)
    return {"env": env, "dir": out, "access": (out / "access.txt").read_text().strip()}


class Server:
    def __init__(self, app: str, env: dict[str, str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        cmd = [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            app,
        ]
        self.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{app} did not start")

    def worker_rss_kb(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(
    url: str,
    seconds: int,
    connections: int = CONNECTIONS,
    script: str | None = None,
    headers: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict:
    cmd = [
        "wrk",
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    if script:
        cmd += ["-s", str(BENCH / script)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        cmd + [url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "THREADS": str(THREADS), **(extra_env or {})},
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def verify_seconds(rounds: int) -> float:
    """One verify's CPU time: the median of five, as the machine is right now."""
    from passlib.hash import pbkdf2_sha256

    stored = pbkdf2_sha256.using(rounds=rounds).hash("x")
    return statistics.median(
        timeit.repeat(lambda: pbkdf2_sha256.verify("x", stored), number=1, repeat=5)
    )


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    config = "PostgreSQL + Redis" if os.getenv("BENCH_DATABASE_URL") else "SQLite"
    print(f"preparing databases in {workdir} ({config}) ...", flush=True)
    main_db = prepare(workdir, "main", DEFAULT_ROUNDS, ROUNDS, 0)
    rows: dict[str, list[dict]] = {name: [] for name in ("floor", "me", "item", "refresh")}
    floor = Server("bench.floor:create_app()", main_db["env"], 5101)
    api = Server("app:create_app()", main_db["env"], 5102)
    auth = {"Authorization": f"Bearer {main_db['access']}"}
    try:
        for n in range(ROUNDS):  # interleaved, so that drift hits every row alike
            print(f"round {n + 1}/{ROUNDS}", flush=True)
            rows["floor"].append(wrk(floor.url + "/me", SECONDS))
            rows["me"].append(wrk(api.url + "/me", SECONDS, headers=auth))
            rows["item"].append(wrk(api.url + "/item?page_size=20", SECONDS, headers=auth))
            tokens = {"TOKENS": str(main_db["dir"] / f"refresh-{n}.txt")}
            rows["refresh"].append(wrk(api.url, SECONDS, script="refresh.lua", extra_env=tokens))
        print("login at the default rounds ...", flush=True)
        # The ceiling is timed between the login runs, so that drift in the machine's
        # speed hits both alike.
        runs, verify = [], [verify_seconds(DEFAULT_ROUNDS)]
        for _ in range(3):
            runs.append(wrk(api.url + "/login", 10, connections=8, script="login.lua"))
            verify.append(verify_seconds(DEFAULT_ROUNDS))
        login = median_of(runs) | {"ceiling": os.cpu_count() / statistics.median(verify)}
    finally:
        floor.stop()
        api.stop()

    print(f"GET /me with {REVOKED:,} revoked tokens ...", flush=True)
    big = (
        prepare(workdir, "revoked", 1000, 0, REVOKED)
        if not os.getenv("BENCH_DATABASE_URL")
        else None
    )
    revoked_rows: dict[str, list[dict]] = {"empty": [], "full": []}
    servers = {"empty": Server("app:create_app()", main_db["env"], 5103)}
    if big:
        servers["full"] = Server("app:create_app()", big["env"], 5104)
    try:
        for _ in range(ROUNDS):
            for name, server in servers.items():
                token = main_db["access"] if name == "empty" else big["access"]
                revoked_rows[name].append(
                    wrk(server.url + "/me", SECONDS, headers={"Authorization": f"Bearer {token}"})
                )
    finally:
        for server in servers.values():
            server.stop()

    print(f"memory over {CYCLES:,} login/logout cycles ...", flush=True)
    cycle_db = prepare(workdir, "cycles", 1000, 0, 0)
    server = Server("app:create_app()", cycle_db["env"], 5105)
    try:
        # One connection per wrk thread: a thread's Lua state holds its login's token.
        # wrk runs for its whole duration even once the script stops, so the warm-up
        # measures the rate and the main run is sized from it.
        warmup = wrk(
            server.url, 10, connections=2, script="cycle.lua", extra_env={"CYCLES": "1e12"}
        )
        before = server.worker_rss_kb()
        seconds = int(CYCLES / (warmup["rps"] / 2) * 1.3) + 5
        run = wrk(
            server.url,
            seconds,
            connections=2,
            script="cycle.lua",
            extra_env={"CYCLES": str(CYCLES)},
        )
        after = server.worker_rss_kb()
        cycles_done = run["requests"] // 2
    finally:
        server.stop()

    report(config, rows, login, revoked_rows, before, after, cycles_done)
    shutil.rmtree(workdir, ignore_errors=True)


def report(config, rows, login, revoked_rows, before, after, cycles_done) -> None:
    floor = median_of(rows["floor"])
    ceiling = login["ceiling"]
    lines = [
        f"### {config}",
        "",
        f"{platform.node()}: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, gunicorn {WORKERS} sync workers, wrk -t2 "
        f"-c{CONNECTIONS}, medians of {ROUNDS} interleaved {SECONDS}s rounds, "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
        "| endpoint | requests/s | p50 ms | p99 ms | non-2xx | ratio |",
        "|---|---|---|---|---|---|",
    ]
    names = {
        "floor": "bare Flask floor",
        "me": "GET /me",
        "item": "GET /item (page of 20)",
        "refresh": "POST /refresh",
    }
    for key, name in names.items():
        row = median_of(rows[key])
        lines.append(
            f"| {name} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
            f"{row['errors']:.0f} | {row['rps'] / floor['rps']:.2f} of floor |"
        )
    lines.append(
        f"| POST /login (600,000 rounds) | {login['rps']:.1f} | {login['p50']:.0f} | "
        f"{login['p99']:.0f} | {login['errors']:.0f} | {login['rps'] / ceiling:.2f} of the "
        f"hash-bound ceiling ({ceiling:.1f}/s) |"
    )
    empty = median_of(revoked_rows["empty"])
    lines += ["", f"GET /me, empty store: {empty['rps']:.0f} requests/s."]
    if revoked_rows["full"]:
        full = median_of(revoked_rows["full"])
        lines[-1] += (
            f" With {REVOKED:,} revoked tokens: {full['rps']:.0f} requests/s "
            f"({full['rps'] / empty['rps']:.2f} of empty)."
        )
    growth = [(b2 - b1) / 1024 for b1, b2 in zip(before, after, strict=True)]
    lines += [
        "",
        f"Worker resident memory over {cycles_done:,} login/logout cycles (1,000 rounds): "
        + ", ".join(
            f"{b1 / 1024:.1f} MB -> {b2 / 1024:.1f} MB"
            for b1, b2 in zip(before, after, strict=True)
        )
        + f" (largest growth {max(growth):+.1f} MB).",
        "",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    results = BENCH / "results.md"
    old = (
        results.read_text()
        if results.exists()
        else "# Benchmark results\n\nWritten by `make bench`.\n\n"
    )
    old = (
        re.sub(rf"### {re.escape(config)}\n.*?(?=\n### |\Z)", "", old, flags=re.S).rstrip() + "\n\n"
    )
    results.write_text(old + text)


if __name__ == "__main__":
    main()
