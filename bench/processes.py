"""The benchmark's servers and load: the API and the floor on server.py (granian), the
peers on their own servers, and wrk."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
WORKERS = 2
THREADS = 2  # wrk threads; the Lua scripts split their work by it
CONNECTIONS = int(os.getenv("BENCH_CONNECTIONS", "32"))


def granian(target: str) -> list[str]:
    """server.py as `make run` starts it, access log off (it would only measure the log)."""
    return [PYTHON, "-c", f"import server; server.serve({target!r}, access_log=False)"]


def granian_baseline(target: str) -> list[str]:
    """An earlier checkout served by this tree's server.py with the same settings, but
    without its start checks: they belong to this tree's app, not the earlier one's."""
    serve = f"Server(**server.settings({target!r})).serve()"
    code = f"import server; from granian.server import Server; {serve}"
    return [PYTHON, "-c", code]


def gunicorn(target: str, *options: str) -> list[str]:
    # No control socket: two gunicorns on one host would share one (PITFALLS).
    base = [PYTHON, "-m", "gunicorn", "--no-control-socket", "-w", str(WORKERS)]
    return base + ["--access-logfile", "/dev/null", *options, target]


def uvicorn(target: str) -> list[str]:
    return [PYTHON, "-m", "uvicorn", target, "--workers", str(WORKERS), "--loop", "uvloop"] + [
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


class Server:
    def __init__(
        self, command: list[str], env: dict[str, str], port: int, cwd: Path = ROOT
    ) -> None:
        self.url = f"http://127.0.0.1:{port}"
        if "gunicorn" in command:
            command = [*command[:-1], "-b", f"127.0.0.1:{port}", command[-1]]
        elif "uvicorn" in command:
            command = [*command, "--port", str(port)]
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**env, "PORT": str(port), "WEB_CONCURRENCY": str(WORKERS)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a stop that has to kill takes the workers too
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{command} did not start")

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sorted(int(child) for child in children)

    def worker_rss_kb(self) -> list[int]:
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def wrk(
    url: str,
    seconds: int,
    connections: int = CONNECTIONS,
    script: str | None = None,
    headers: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
    threads: int = THREADS,
) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    cmd += ["--timeout", "30s"]
    if script:
        cmd += ["-s", str(BENCH / script)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        cmd + [url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "THREADS": str(threads), **(extra_env or {})},
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
