"""Real gunicorn servers for the bench tests and the fault drill: the `make serve` command line
(deploy/gunicorn.conf.py) on a free loopback port, with a production environment (DEBUG off,
collected static files) and its log in a file the caller can read."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
GUNICORN = VENV_BIN / "gunicorn"
SERVE_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(folder: Path, *, database_url: str | None = None, **extra: str) -> dict:
    """DEBUG off, a throw-away key, loopback host, files in `folder`, no per-address limits
    (every bot of a drill comes from 127.0.0.1)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - a throw-away key
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url or f"sqlite:///{folder / 'db.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        RATELIMIT_ENABLE="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    """Run manage.py with `env`; its stdout, or an error with its stderr."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(env: dict) -> None:
    """What `make serve` does before gunicorn: migrate and collect the static files."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (comm) state ppid ...": comm may hold spaces, so split after the ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()


def serve_command(port: int) -> list[str]:
    """`make serve`'s gunicorn command line, on `port`."""
    return [str(GUNICORN), "--config", str(SERVE_CONFIG), "--bind", f"127.0.0.1:{port}"]


def plain_sync_command(port: int) -> list[str]:
    """The command `make serve` ran before deploy/gunicorn.conf.py: three sync workers."""
    return [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3"]


def start(env: dict, log_path: Path, command=serve_command, ready_path: str = "/console/login/"):
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(process=process, port=port, log_path=log_path, _log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + ready_path, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{server.log()}")
