"""Request bodies through a real server: a chunked body (no Content-Length) over the limit
is refused with 413 and changes nothing."""

import json
import socket

import pytest

from tests.servers import Server, services_env, signup_and_login

pytestmark = pytest.mark.processes

LIMIT = 1024 * 1024


@pytest.fixture
def server(tmp_path):
    with Server(services_env(tmp_path), workers=1) as server:
        yield server


def chunked_post(server: Server, path: str, body: bytes, token: str, chunk: int = 65536) -> int:
    """POST with Transfer-Encoding: chunked; the status of the answer."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode())
        try:
            for start in range(0, len(body), chunk):
                part = body[start : start + chunk]
                sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading it all: that is fine
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/store", {"name": "Padded"}),
        ("/register", {"username": "padded", "password": "a fine long passphrase"}),
        ("/login", {"username": "alice", "password": "correct horse battery staple"}),
    ],
)
def test_a_chunked_body_over_the_limit_is_413_and_stores_nothing(server, path, body):
    token = signup_and_login(server)["access_token"]
    # Valid JSON wherever the padding is cut: only the size is wrong.
    body = json.dumps(body).encode()
    padded = body + b" " * (LIMIT + 1000)

    status = chunked_post(server, path, padded, token)

    assert status == 413
    assert server.request("GET", "/store", token)[1] == []
    assert len(server.request("GET", "/sessions", token)[1]) == 1  # no login either


def test_a_chunked_body_under_the_limit_is_read_whole(server):
    token = signup_and_login(server)["access_token"]
    body = b'{"name": "Small"' + b" " * (LIMIT // 2) + b"}"

    assert chunked_post(server, "/store", body, token) == 201
    assert [store["name"] for store in server.request("GET", "/store", token)[1]] == ["Small"]
