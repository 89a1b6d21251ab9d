"""The bot's browser against a small local server: redirects followed with the cookies kept,
POSTs with Origin and Referer, a 429 waited out as Retry-After says, and a redirect loop, a
timeout or a refused connection reported as no page."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from study.bots.browser import MAX_REDIRECTS, Browser, Unanswered

SEEN: list[dict] = []


class _Site(BaseHTTPRequestHandler):
    throttle_left = 0

    def log_message(self, *args):
        pass

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        SEEN.append({"path": self.path, "cookie": self.headers.get("Cookie"), **self._common()})
        if self.path == "/start/":
            self._answer(
                302, headers=[("Location", "/page/"), ("Set-Cookie", "csrftoken=abc; Path=/")]
            )
        elif self.path == "/page/":
            self._answer(200, b'<h1>Page</h1><img src="/img/ok.png"><img src="/img/missing.png">')
        elif self.path == "/img/ok.png":
            self._answer(200, b"PNGDATA")
        elif self.path == "/loop/":
            self._answer(302, headers=[("Location", "/loop/")])
        elif self.path == "/busy/":
            if _Site.throttle_left:
                _Site.throttle_left -= 1
                self._answer(429, b"slow down", headers=[("Retry-After", "0")])
            else:
                self._answer(200, b"<h1>Served</h1>")
        elif self.path == "/slow/":
            time.sleep(1)
            with contextlib.suppress(BrokenPipeError):  # the bot stopped waiting
                self._answer(200, b"late")
        else:
            self._answer(404, b"<h1>Not found</h1>")

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        SEEN.append({"path": self.path, "body": self.rfile.read(length).decode(), **self._common()})
        self._answer(302, headers=[("Location", "/page/")])

    def _common(self):
        return {"origin": self.headers.get("Origin"), "referer": self.headers.get("Referer")}


@contextmanager
def _served() -> Iterator[str]:
    SEEN.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def _browser(url, timeout=5.0):
    return Browser(base_url=url, timeout=timeout, user_agent="test-bot")


def test_redirects_are_followed_with_the_cookie_and_a_post_says_where_it_comes_from():
    with _served() as url:
        browser = _browser(url)
        page, _response = browser.get("start/")
        posted, _response = browser.post(page.url, [("csrfmiddlewaretoken", "abc"), ("a", "1")])

    assert (page.url, page.status, page.heading) == (f"{url}page/", 200, "Page")
    assert posted.url == f"{url}page/"
    post = next(seen for seen in SEEN if "body" in seen)
    assert post["body"] == "csrfmiddlewaretoken=abc&a=1"
    assert post["origin"] == url.rstrip("/")
    assert post["referer"] == f"{url}page/"
    assert SEEN[-1]["cookie"] == "csrftoken=abc"
    assert browser.requests == 4


def test_the_images_of_a_page_are_fetched_and_a_missing_one_is_named():
    with _served() as url:
        browser = _browser(url)
        page, _response = browser.get("page/")
        failed = browser.images_fetch(page)

    assert failed == ["/img/missing.png: HTTP 404"]
    assert (browser.images, browser.image_bytes) == (1, len(b"PNGDATA"))


def test_a_429_is_waited_out_as_retry_after_says_and_counted():
    _Site.throttle_left = 2
    with _served() as url:
        browser = _browser(url)
        page, _response = browser.get("busy/")

    assert (page.status, page.heading) == (200, "Served")
    assert (browser.throttled, browser.requests) == (2, 3)


def test_a_redirect_loop_is_no_page():
    with _served() as url:
        browser = _browser(url)
        with pytest.raises(Unanswered) as unanswered:
            browser.get("loop/")

    assert str(unanswered.value) == f"more than {MAX_REDIRECTS} redirects ({url}loop/ onwards)"


def test_no_answer_in_time_is_no_page():
    with _served() as url:
        browser = _browser(url, timeout=0.2)
        with pytest.raises(Unanswered) as unanswered:
            browser.get("slow/")

    assert str(unanswered.value) == "no answer within 0.2 s"


def test_a_refused_connection_is_no_page():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    browser = _browser(f"http://127.0.0.1:{port}/")

    with pytest.raises(Unanswered) as unanswered:
        browser.get("p/x/")

    assert str(unanswered.value) == "no connection (ConnectionError)"
