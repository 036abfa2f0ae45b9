"""What the production server (server.py, granian) does in a running process: where it
says it serves, a port already taken, oversized request heads, slow clients."""

import json
import socket
import subprocess
import sys
import time

import pytest

from tests.servers import ROOT, Server, services_env

pytestmark = pytest.mark.processes


@pytest.fixture
def server(tmp_path):
    with Server(services_env(tmp_path)) as running:
        yield running


def raw(port: int, head: bytes, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send a request head as is; the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head_part, _, body = data.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def get(path: str, *extra: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: test", *extra, "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


def assert_enveloped(answer: tuple[int, dict[str, str], bytes], status: int) -> dict:
    code, headers, body = answer
    assert code == status, body
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    payload = json.loads(body)
    assert (payload["code"], payload["message"]) == (status, payload["message"])
    return payload


def test_the_start_names_the_swagger_ui_address(server):
    assert f"http://127.0.0.1:{server.port}/swagger-ui" in server.output()


def test_a_port_in_use_stops_the_start_with_one_line(server):
    env = {**server.env, "PORT": str(server.port)}
    result = subprocess.run(
        [sys.executable, "server.py"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Port {server.port} is already in use: choose another with PORT=... "
        f"(make run PORT={server.port + 1})"
    )


def test_an_oversized_url_or_header_is_the_apps_json_error(server):
    long_path = "/item?page=1&q=" + "a" * 9000
    assert_enveloped(raw(server.port, get(long_path)), 414)
    assert_enveloped(raw(server.port, get("/store/" + "1" * 9000)), 414)
    assert_enveloped(raw(server.port, get("/me", "X-Big: " + "b" * 17000)), 431)
    many = [f"X-Field-{n}: v" for n in range(80)]
    assert_enveloped(raw(server.port, get("/health", *many)), 431)
    assert server.request("GET", "/health")[0] == 200  # and the server is none the worse


def test_past_the_servers_own_limits_the_answer_is_its_bare_431(server):
    # README, Security: past 64 KiB of request head or 100 fields granian answers alone.
    code, _, body = raw(server.port, get("/me", "X-Huge: " + "h" * 70_000))
    assert (code, body) == (431, b"")
    code, _, body = raw(server.port, get("/me", *[f"X-Field-{n}: v" for n in range(120)]))
    assert (code, body) == (431, b"")


def test_a_malformed_request_line_gets_a_400_and_the_connection_closed(server):
    code, _, body = raw(server.port, b"NOT A REQUEST LINE\r\n\r\n")
    assert (code, body) == (400, b"")


def test_an_oversized_body_is_refused_with_the_envelope(server):
    body = b'{"username": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    head = (
        b"POST /register HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    assert_enveloped(raw(server.port, head + body), 413)


def test_slow_clients_do_not_starve_the_others(tmp_path):
    # Two workers: under gunicorn's sync workers, two slow heads held both of them.
    with Server(services_env(tmp_path), workers=2) as server:
        slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
        try:
            for sock in slow:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: slow\r\nX-Slow: a")
            timings = []
            for _ in range(10):
                start = time.monotonic()
                assert server.request("GET", "/health")[0] == 200
                timings.append(time.monotonic() - start)
            for sock in slow:
                sock.sendall(b"a")  # still trickling
            # Under sync workers these waited for the slow heads' timeout (30 s); the
            # margin is for a loaded machine.
            assert max(timings) < 3.0, timings
        finally:
            for sock in slow:
                sock.close()
