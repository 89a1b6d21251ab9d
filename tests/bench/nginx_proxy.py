"""A real nginx in front of the bench gunicorn (tests/bench/test_nginx.py): deploy/nginx.conf's
server blocks with the placeholders replaced (ports, certificate, access log, static folder),
included from a main config whose every path (pid, logs, temp folders) lies in one folder.

Also what the test looks with: a tiny HTTPS client (cookies, a chosen source address, a body sent
in pieces) and a search for marker bytes on disk. nginx opens its temporary files and unlinks
them at once, so a folder listing never shows a buffered body: the search reads the regular files
the nginx and gunicorn processes hold open (/proc/<pid>/fd) as well as every file on disk."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from servers import ROOT, free_port

NGINX = Path("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
DEPLOY_CONF = ROOT / "deploy" / "nginx.conf"
# The warning nginx logs whenever it spools a request body to client_body_temp_path.
BUFFERED_WARNING = "a client request body is buffered to a temporary file"


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _replace(text: str, old: str, new: str, count: int) -> str:
    found = text.count(old)
    if found != count:  # deploy/nginx.conf changed: say so rather than test something else
        raise AssertionError(f"deploy/nginx.conf: {old!r} found {found} times, expected {count}")
    return text.replace(old, new)


def site_config(*, upstream: int, http_port: int, https_port: int, folder: Path, static: Path):
    """deploy/nginx.conf with this machine's ports and paths: nothing else changed."""
    cert, key = self_signed_cert(folder)
    text = DEPLOY_CONF.read_text()
    for old, new, count in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};", 1),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n", 1),
        ("    listen [::]:80;\n", "", 1),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1),
        ("    listen [::]:443 ssl http2;\n", "", 1),
        ("server_name trustlab.example.org;", "server_name 127.0.0.1;", 2),
        ("/etc/ssl/trustlab/fullchain.pem", str(cert), 1),
        ("/etc/ssl/trustlab/privkey.pem", str(key), 1),
        ("/var/log/nginx/trustlab.access.log", str(folder / "access.log"), 1),
        # the error log the test reads (at info, where nginx says a body went to a file)
        ("/var/log/nginx/trustlab.error.log warn;", f"{folder / 'error.log'} info;", 1),
        ("alias /srv/trustlab/staticfiles/;", f"alias {static}/;", 1),
    ):
        text = _replace(text, old, new, count)
    return text


# A server that is not deploy/nginx.conf's: small memory buffer, large bodies allowed, so nginx
# spools a body to disk. The test sends one through it to show the search finds such a body.
CONTROL_SERVER = """
server {{
    listen 127.0.0.1:{port};
    client_max_body_size 20m;
    client_body_buffer_size 16k;
    location / {{
        proxy_pass http://trustlab_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
    }}
}}
"""

MAIN_CONFIG = """{user}daemon off;
master_process on;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 512; }}
http {{
    default_type application/octet-stream;
    access_log {d}/default.access.log;
    client_body_temp_path {d}/client_body_temp;
    proxy_temp_path {d}/proxy_temp;
    fastcgi_temp_path {d}/fastcgi_temp;
    uwsgi_temp_path {d}/uwsgi_temp;
    scgi_temp_path {d}/scgi_temp;
    include {d}/trustlab.conf;
    {control}
}}
"""


@dataclass
class Nginx:
    process: subprocess.Popen
    folder: Path
    http_port: int
    https_port: int
    control_port: int
    _log: object = field(repr=False, default=None)

    @property
    def client_body_temp(self) -> Path:
        return self.folder / "client_body_temp"

    def error_log(self) -> str:
        return (self.folder / "error.log").read_text(errors="replace")

    def access_log(self) -> str:
        path = self.folder / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()


def start_nginx(folder: Path, *, upstream: int, https_port: int, static: Path) -> Nginx:
    folder.mkdir(parents=True, exist_ok=True)
    http_port, control_port = free_port(), free_port()
    site = site_config(
        upstream=upstream, http_port=http_port, https_port=https_port, folder=folder, static=static
    )
    (folder / "trustlab.conf").write_text(site)
    # As root, nginx's workers would run as nobody, who may not enter pytest's 0700 folders
    # (no temp file could be written at all, and the test would prove nothing).
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = MAIN_CONFIG.format(user=user, d=folder, control=CONTROL_SERVER.format(port=control_port))
    (folder / "nginx.conf").write_text(main)
    log = (folder / "stderr.log").open("w")
    process = subprocess.Popen(
        [str(NGINX), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Nginx(process, folder, http_port, https_port, control_port, _log=log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.flush()
            raise RuntimeError(f"nginx exited: {(folder / 'stderr.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            if children(process.pid):
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("nginx did not listen within 20 s")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Client:
    """HTTPS to nginx (certificate not checked), keeping cookies like a browser would."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.port, self.source, self.cookies = port, source, {}
        self.origin = f"https://127.0.0.1:{port}"

    def connect(self, timeout: float = 30) -> http.client.HTTPSConnection:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        return http.client.HTTPSConnection(
            "127.0.0.1",
            self.port,
            timeout=timeout,
            context=context,
            source_address=(self.source, 0),
        )

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Referer": self.origin + "/console/login/", "Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers | (extra or {})

    def keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for line in response.msg.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()

    def request(self, method, path, body=None, headers=None, pieces=None, between=None):
        """(status, headers, body). `pieces`: send the body in chunks of that size, calling
        `between()` after each (the body must then be bytes with its Content-Length)."""
        connection = self.connect()
        try:
            all_headers = self.headers(headers)
            if pieces is None:
                chunked = all_headers.get("Transfer-Encoding") == "chunked"
                connection.request(
                    method, path, body=body, headers=all_headers, encode_chunked=chunked
                )
            else:
                connection.putrequest(method, path, skip_accept_encoding=True)
                for name, value in all_headers.items():
                    connection.putheader(name, value)
                connection.putheader("Content-Length", str(len(body)))
                connection.endheaders()
                for start in range(0, len(body), pieces):
                    connection.send(body[start : start + pieces])
                    between()
            response = connection.getresponse()
            content = response.read()
            self.keep_cookies(response)
            return response.status, response.msg, content
        finally:
            connection.close()


def form_token(html: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1).decode()


def multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = "----trustlab-bench-boundary-7f3a9c"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        "\r\nContent-Type: application/zip\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class MarkerSearch:
    """Where `marker` is on disk: every file under `roots` (but `exclude`), and every regular
    file the processes `pids()` hold open, deleted ones included."""

    def __init__(self, marker: bytes, roots: list[Path], pids, exclude=()) -> None:
        self.marker, self.roots, self.pids = marker, roots, pids
        self.exclude = {Path(p).resolve() for p in exclude}
        self.clean: set[tuple] = set()  # (path, size, mtime) already read without the marker
        self.files_read = 0

    def _holds(self, path: str, identity: tuple | None = None) -> bool:
        if identity is not None and identity in self.clean:
            return False
        try:
            with open(path, "rb") as handle:
                found = self.marker in handle.read()
        except OSError:
            return False  # gone meanwhile
        self.files_read += 1
        if not found and identity is not None:
            self.clean.add(identity)
        return found

    def hits(self) -> list[str]:
        found = []
        for root in self.roots:
            for path in (p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                if path.resolve() in self.exclude:
                    continue
                info = path.stat()
                if self._holds(str(path), (str(path), info.st_size, info.st_mtime_ns)):
                    found.append(str(path))
        for pid in self.pids():
            try:
                fds = list(Path(f"/proc/{pid}/fd").iterdir())
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(fd)
                    regular = stat.S_ISREG(os.stat(fd).st_mode)
                except OSError:
                    continue
                if regular and Path(target).resolve() not in self.exclude and self._holds(fd):
                    found.append(f"pid {pid} fd {fd.name} -> {target}")
        return found
