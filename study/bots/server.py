"""The site served over real HTTP in this process, for bots run without --base-url: a threaded
wsgiref server on a free loopback port over the project's WSGI application (the one gunicorn
serves), so the bots go through sockets, middleware, CSRF and cookies as a browser does.

Rule: loopback only, and stopped when the run ends (a context manager).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a request still running at shutdown does not hold the process
    allow_reuse_address = True
    request_queue_size = 64  # bots connect at once: no refused connection at the start


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # the run's report says what happened; no line per request


class _ClosingApplication(WSGIHandler):
    """Django's handler, closing this thread's database connections after each request: every
    request runs on a new thread here, which would otherwise keep its connection open."""

    def __call__(self, environ, start_response):
        try:
            return super().__call__(environ, start_response)
        finally:
            connections.close_all()


@contextmanager
def site_served() -> Iterator[str]:
    """Serve the site on 127.0.0.1 at a free port; yields its base URL."""
    server = make_server(
        "127.0.0.1",
        0,
        _ClosingApplication(),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, name="bots-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
