"""The slow-client check: connections that each send one header byte a second, while
another client measures /health. A server that gives each connection a worker starves."""

import socket
import threading
import time

HEAD = b"GET /health HTTP/1.1\r\nHost: bench\r\nX-Slow: " + b"a" * 200


def trickle(port: int, connections: int, seconds: int, stop: threading.Event) -> dict:
    """Open `connections`, then send each one byte a second for `seconds`; count the
    connections the server closed before the end (it may cut a head that is too slow)."""
    socks = []
    for _ in range(connections):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.setblocking(False)
        socks.append(sock)
    closed: set[int] = set()
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline and not stop.is_set():
        for i, sock in enumerate(socks):
            if i in closed:
                continue
            try:
                sock.send(HEAD[n % len(HEAD) : n % len(HEAD) + 1])
            except OSError:
                closed.add(i)
        n += 1
        stop.wait(1)
    for sock in socks:
        sock.close()
    return {"connections": connections, "closed_by_server": len(closed)}


def check(server, wrk, connections: int = 50, seconds: int = 20) -> dict:
    """/health p99 (wrk, 4 connections) while `connections` trickle their heads."""
    before = server.workers()
    stop = threading.Event()
    result: dict = {}
    port = int(server.url.rsplit(":", 1)[1])
    thread = threading.Thread(
        target=lambda: result.update(trickle(port, connections, seconds, stop))
    )
    thread.start()
    time.sleep(2)  # every slow connection is open and has begun its head
    try:
        health = wrk(server.url + "/health", seconds - 4, connections=4, threads=1)
    except BaseException:
        stop.set()
        raise
    finally:
        thread.join()
    return result | {
        "health": health,
        "workers_replaced": len(set(before) - set(server.workers())),
    }
