"""Plain clients for tests/bench/test_nginx.py: a body sent in pieces, sockets trickling a body at
one byte a second, a series of timed GETs, and bodies with a marker to look for on disk."""

import http.client
import os
import shutil
import threading
import time

CURL = shutil.which("curl") or "/usr/bin/curl"
PROMPT_SECONDS, WATCH_SECONDS = 2.0, 6.0


def marked(marker: bytes, size: int) -> bytes:
    """`size` random bytes with `marker` at the start, the middle and the end."""
    body = bytearray(os.urandom(size))
    for at in (0, size // 2, size - len(marker)):
        body[at : at + len(marker)] = marker
    return bytes(body)


def plain_post(port: int, body: bytes, between) -> int:
    """POST `body` to a participant URL over plain HTTP, calling `between()` after each 512 KB."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", "/p/x/consent/")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders()
    for at in range(0, len(body), 512 * 1024):
        connection.send(body[at : at + 512 * 1024])
        between()
    status = connection.getresponse().status
    connection.close()
    return status


def http_get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.msg, None


def trickle(sock, head: bytes, stop: threading.Event) -> None:
    try:
        sock.sendall(head)
        while not stop.wait(1.0):
            sock.sendall(b"a")
    except OSError:
        return  # cut off: allowed


def trickling(sockets, head: bytes):
    stop = threading.Event()
    threads = [threading.Thread(target=trickle, args=(s, head, stop), daemon=True) for s in sockets]
    for thread in threads:
        thread.start()
    return stop, threads


def end(stop, threads, sockets):
    stop.set()
    for sock in sockets:
        sock.close()
    for thread in threads:
        thread.join(timeout=5)


def prompt_gets(client) -> list[float | None]:
    timings, end = [], time.monotonic() + WATCH_SECONDS
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            connection = client.connect(timeout=PROMPT_SECONDS)
            connection.request("GET", "/console/login/")
            response = connection.getresponse()
            response.read()
            connection.close()
            elapsed = time.monotonic() - started
            timings.append(elapsed if response.status == 200 and elapsed < PROMPT_SECONDS else None)
        except OSError:
            timings.append(None)
        time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
    return timings


def direct_get_fails(port: int) -> bool:

    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PROMPT_SECONDS)
        connection.request("GET", "/console/login/")
        connection.getresponse().read()
        connection.close()
    except OSError:
        return True
    return False
