"""Real server processes for the tests of config/ (gunicorn, runserver) on a free port, and
plain HTTP requests to them: what a deployment does, not what the test client imitates."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
# What every server here runs with: the test key, and no rate limit (the tests send bursts).
SERVER_ENV = {"DEBUG": "1", "SECRET_KEY": "test-only", "RATELIMIT_ENABLE": "0"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args: str, env: dict[str, str]) -> str:
    """Run manage.py with the project's settings and `env`; its stdout (a failure raises)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, **SERVER_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def served(command: list[str], *, env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Start `command` (a server listening on `port`), wait until it answers, yield its base
    URL; stop it afterwards. Its output goes to `log`, which a failing assertion can show."""
    with log.open("wb") as output:
        server = subprocess.Popen(
            command,
            cwd=PROJECT,
            env={**os.environ, **SERVER_ENV, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while True:
                assert server.poll() is None, log.read_text()
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def status_of(url: str) -> int:
    """The status of a GET of `url` (an error status is an answer too, not an exception)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our http://
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Browser:
    """One visitor with cookies (the session and CSRF cookies of a participant's pages)."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = None if data is None else urllib.parse.urlencode(data).encode()
        try:
            with self._opener.open(url, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is the answer under test (a recorded answer redirects), not a page to follow.
    def redirect_request(self, *args, **kwargs):
        return None
