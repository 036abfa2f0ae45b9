"""The benchmark's table and its targets, printed and written to bench/results.md."""

import re
import statistics
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"
NAMES = {
    "floor": "bare Flask floor, server.py (granian)",
    "article": "the article's FastAPI + python-jose /me, uvicorn + uvloop + httptools",
    "jwt_only": "flask-jwt-extended @jwt_required alone, gunicorn sync",
    "me:api": "this API, GET /me (SQLite)",
    "item:api": "this API, GET /item, page of 20 (SQLite)",
    "refresh:api": "this API, POST /refresh (SQLite)",
    "me:services": "this API, GET /me (PostgreSQL + Redis)",
    "item:services": "this API, GET /item, page of 20 (PostgreSQL + Redis)",
    "refresh:services": "this API, POST /refresh (PostgreSQL + Redis)",
    "me:baseline": "BENCH_BASELINE, GET /me (SQLite)",
    "item:baseline": "BENCH_BASELINE, GET /item, page of 20 (SQLite)",
    "refresh:baseline": "BENCH_BASELINE, POST /refresh (SQLite)",
    "me:baseline-services": "BENCH_BASELINE, GET /me (PostgreSQL + Redis)",
    "item:baseline-services": "BENCH_BASELINE, GET /item, page of 20 (PostgreSQL + Redis)",
    "refresh:baseline-services": "BENCH_BASELINE, POST /refresh (PostgreSQL + Redis)",
}
# The throughput targets, the one home of each: (what, wanted, the ratio from the rows'
# requests/s and a login row). "api"/"services" name this tree's rows,
# "baseline"/"baseline-services" the earlier code's (BENCH_BASELINE).
TARGETS = [
    ("GET /me, × the article's FastAPI /me", 1.0, lambda m, lg, a, s: m[f"me:{a}"] / m["article"]),
    ("GET /item, ×", 0.7, lambda m, lg, a, s: m[f"item:{a}"] / m["article"]),
    ("POST /refresh, ×", 0.25, lambda m, lg, a, s: m[f"refresh:{a}"] / m["article"]),
    ("POST /login, of the hash-bound ceiling", 0.95, lambda m, lg, a, s: lg["rps"] / lg["ceiling"]),
    (
        "GET /me on PostgreSQL + Redis, × its SQLite GET /me",
        0.75,
        lambda m, lg, a, s: m[f"me:{s}"] / m[f"me:{a}"] if f"me:{s}" in m else None,
    ),
]


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def report(rows, login, slow, revoked, count, before, after, cycles, settings: str) -> None:
    medians = {key: median_of(runs) for key, runs in rows.items()}
    article = medians["article"]["rps"]
    lines = [
        "### Latest run",
        "",
        settings + ".",
        "",
        "| what | requests/s | p50 ms | p99 ms | non-2xx | × article's FastAPI /me |",
        "|---|---|---|---|---|---|",
    ]
    for key, name in NAMES.items():
        if key in medians:
            row = medians[key]
            lines.append(
                f"| {name} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
                f"{row['errors']:.0f} | {row['rps'] / article:.2f} |"
            )
    for key, who in (("api", "this API"), ("baseline", "BENCH_BASELINE")):
        if key in login:
            row, ceiling = login[key], login[key]["ceiling"]
            lines.append(
                f"| {who}, POST /login (600,000 rounds, SQLite) | {row['rps']:.1f} | "
                f"{row['p50']:.0f} | {row['p99']:.0f} | {row['errors']:.0f} | "
                f"{row['rps'] / ceiling:.2f} of the hash-bound ceiling ({ceiling:.1f}/s) |"
            )
    rps = {key: row["rps"] for key, row in medians.items()}
    empty, full = median_of(revoked["empty"]), median_of(revoked["full"])
    growth = [(b2 - b1) / 1024 for b1, b2 in zip(before, after, strict=True)]
    health = slow["health"]
    lines += ["", "Targets, from this run:", ""]
    for what, wanted, ratio in TARGETS:
        value = ratio(rps, login["api"], "api", "services")
        if value is not None:
            lines.append(f"- {what}: {value:.2f} (target {wanted}).")
    lines += [
        f"- Slow clients: {slow['connections']} connections sending one header byte a second "
        f"({slow['closed_by_server']} cut by the server's 10 s head timeout); meanwhile "
        f"/health answered {health['rps']:.0f}/s, p99 {health['p99']:.1f} ms "
        f"(target under 100 ms), {health['errors']:.0f} non-2xx, "
        f"{slow['workers_replaced']} workers replaced (target 0).",
        f"- GET /me with {count:,} revoked tokens: "
        f"{full['rps']:.0f}/s against {empty['rps']:.0f}/s empty "
        f"({full['rps'] / empty['rps']:.2f} of empty; target within 10%).",
        f"- Worker memory over {cycles:,} login/logout cycles (1,000 rounds): "
        + ", ".join(
            f"{b1 / 1024:.1f} MB -> {b2 / 1024:.1f} MB"
            for b1, b2 in zip(before, after, strict=True)
        )
        + f" (largest growth {max(growth):+.1f} MB; target within 10 MB).",
        "",
    ]
    if "baseline" in login:
        lines += before_after(rps, login)
    text = "\n".join(lines)
    print("\n" + text)
    head = "# Benchmark results\n\nWritten by `make bench`; earlier runs below it.\n\n"
    old = RESULTS.read_text() if RESULTS.exists() else head
    old = re.sub(r"^# Benchmark results\n.*?\n\n", "", old, count=1, flags=re.S)
    old = old.replace("### Latest run", "### Earlier run", 1)
    RESULTS.write_text(head + text + "\n" + old)


def before_after(rps: dict[str, float], login: dict) -> list[str]:
    """Each throughput target, for this tree and BENCH_BASELINE from the same run: a change
    keeps its targets when it meets every one the baseline met."""
    lines = [
        "Before (BENCH_BASELINE) and after (this tree), the same run:",
        "",
        "| target | wanted | before | met | after | met |",
        "|---|---|---|---|---|---|",
    ]
    for what, wanted, ratio in TARGETS:
        before = ratio(rps, login["baseline"], "baseline", "baseline-services")
        after = ratio(rps, login["api"], "api", "services")
        if before is None or after is None:
            continue
        met = ("yes" if before >= wanted else "no", "yes" if after >= wanted else "no")
        # Three places: at two, 0.948 would read as a target of 0.95 met.
        lines.append(f"| {what} | {wanted} | {before:.3f} | {met[0]} | {after:.3f} | {met[1]} |")
    return [*lines, ""]
