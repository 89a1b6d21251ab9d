"""deploy/nginx.conf in front of `make serve`'s gunicorn, both real (nginx_proxy.py, servers.py):
(1) no request body is written to disk, the case upload is streamed to gunicorn and a body over
1 MB elsewhere is refused with 413; (2) slow clients trickling a body are held by nginx, never by
gunicorn; (3) the access log has /p/[token]/, never the token; (4) Django sees the client's
https scheme and address (SECURE_PROXY_SSL_HEADER=1, PROXY_COUNT=1).

gunicorn runs 1 worker x 4 threads (WEB_CONCURRENCY, GUNICORN_THREADS): fewer threads than slow
clients, so a trickle that reached it would stall it; a control at the end shows that it does."""

import io
import json
import socket
import subprocess
import time
import uuid
import zipfile
import zlib
from pathlib import Path

import pytest
from nginx_clients import (
    CURL,
    PROMPT_SECONDS,
    direct_get_fails,
    end,
    http_get,
    marked,
    plain_post,
    prompt_gets,
    trickling,
)
from nginx_proxy import BUFFERED_WARNING, NGINX, Client, MarkerSearch, form_token, multipart
from nginx_proxy import start_nginx as start_proxy
from servers import free_port, manage, prepare, production_env, start

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason=f"nginx is not installed ({NGINX})")

SLUG, USERNAME, PASSWORD = "nginx-study", "nginx-researcher", "nginx bench password 1"
SECRET = "SECRETTOKEN123"
UPLOAD_MB = 6
SLOW_CLIENTS = 12
SEED = f"""
from django.contrib.auth import get_user_model
from study.models import Study, StudyMembership
user = get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})
study = Study.objects.create(title="nginx bench", slug={SLUG!r}, consent_text="c",
                             debrief_text="d", cases_per_participant=2, seed=1)
StudyMembership.objects.create(study=study, user=user, role=StudyMembership.Role.OWNER)
"""
SEEN_ADDRESSES = """
import json
from axes.models import AccessAttempt
from study.models import AuditEvent
print(json.dumps({
    "axes": sorted({a.ip_address for a in AccessAttempt.objects.filter(username="nginx-probe")}),
    "audit": [e.detail.get("ip") for e in AuditEvent.objects.filter(action="console.login_failed")
              if e.detail.get("username") == "nginx-probe"],
}))
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("nginx-bench")
    https_port = free_port()
    env = production_env(
        root,
        SECURE_PROXY_SSL_HEADER="1",
        PROXY_COUNT="1",
        SECURE_COOKIES="1",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="4",
        RATELIMIT_ENABLE="1",  # test 4 reads the client address off the token-guess limit
        TMPDIR=str(root / "tmp"),  # any temporary file of Django's would land in the search
    )
    (root / "tmp").mkdir()
    prepare(env)
    manage(env, "shell", "-c", SEED)
    gunicorn = start(env, root / "gunicorn.log")
    try:
        proxy = start_proxy(
            root / "nginx", upstream=gunicorn.port, https_port=https_port, static=root / "static"
        )
    except Exception:
        gunicorn.stop()
        raise
    yield env, root, gunicorn, proxy
    proxy.stop()
    gunicorn.stop()


def _address_with_window_left(*, seconds: float) -> str:
    """A loopback address unused elsewhere here whose django-ratelimit minute has `seconds`
    left: windows end at crc32(value) % 60 s past each minute (django_ratelimit.core)."""
    now = time.time()
    for last in range(100, 200):
        address = f"127.0.0.{last}"
        end = int(now) - int(now) % 60 + zlib.crc32(address.encode()) % 60
        if (end if end >= int(now) else end + 60) - now >= seconds:
            return address
    raise AssertionError("no loopback address with a long enough rate-limit window left")


def _researcher(proxy) -> Client:
    client = Client(proxy.https_port)
    _, _, page = client.request("GET", "/console/login/")
    form = f"username={USERNAME}&password={PASSWORD.replace(' ', '+')}&next=/console/"
    form += f"&csrfmiddlewaretoken={form_token(page)}"
    status, _headers, _ = client.request(
        "POST", "/console/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 302, "the researcher could not sign in through nginx"
    assert "sessionid" in client.cookies
    return client


def _searcher(marker, root, gunicorn, proxy, exclude=()):
    def pids():
        return [*proxy.pids(), gunicorn.process.pid, *gunicorn.worker_pids()]

    roots = [root] + [p for p in [Path("/var/lib/nginx")] if p.exists()]
    return MarkerSearch(marker, roots, pids, exclude=exclude)


def _warnings_for(proxy, port: int) -> list[str]:
    return [
        line
        for line in proxy.error_log().splitlines()
        if BUFFERED_WARNING in line and f'host: "127.0.0.1:{port}"' in line
    ]


def test_the_case_upload_is_streamed_and_never_touches_the_disk(stack):
    _env, root, gunicorn, proxy = stack
    marker = f"UPLOAD-MARKER-{uuid.uuid4().hex}".encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:  # marker stays verbatim
        zipped.writestr("case-001/image.dcm", marked(marker, UPLOAD_MB * 1024 * 1024))
    sent = root / "sent" / "upload.zip"
    sent.parent.mkdir()
    sent.write_bytes(archive.getvalue())
    # The search finds the marker where it is (here, the zip itself)...
    assert MarkerSearch(marker, [sent.parent], list).hits() == [str(sent)]
    # ...and in a body nginx spools to disk (unlinked at once: found through /proc/<pid>/fd),
    # through the control server, which is not deploy/nginx.conf's.
    search = _searcher(marker, root, gunicorn, proxy, exclude=[sent])
    during = []
    status = plain_post(
        proxy.control_port, archive.getvalue(), lambda: during.extend(search.hits())
    )
    assert during, "the search should find a body nginx buffered to a temporary file"
    assert _warnings_for(proxy, proxy.control_port)
    assert status in (403, 404)

    client = _researcher(proxy)
    url = f"/console/studies/{SLUG}/cases/"
    _, _, page = client.request("GET", url)
    body, content_type = multipart(
        {"csrfmiddlewaretoken": form_token(page)}, "archive", "upload.zip", archive.getvalue()
    )
    hits, started = [], time.monotonic()
    status, _, answer = client.request(
        "POST",
        url,
        body,
        {"Content-Type": content_type},
        pieces=512 * 1024,
        between=lambda: hits.extend(search.hits()),
    )
    seconds = time.monotonic() - started
    # Django answered it (a 413 here would be nginx's: the upload location did not apply).
    assert status == 400, (status, answer[:300])
    assert b"upload.zip" in answer
    hits.extend(search.hits())

    # The same upload over HTTP/2 (curl), at 3 MB/s, searched while it is under way.
    curl = subprocess.Popen(
        [
            CURL,
            "-sk",
            "--http2",
            "--limit-rate",
            "3M",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            "-H",
            f"Referer: {client.origin}{url}",
            "-b",
            "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
            "-F",
            f"csrfmiddlewaretoken={form_token(page)}",
            "-F",
            f"archive=@{sent}",
            f"{client.origin}{url}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    scans = 0
    while curl.poll() is None:
        hits.extend(search.hits())
        scans += 1
    hits.extend(search.hits())
    assert curl.stdout.read() == "2 400"
    print(
        f"\n{UPLOAD_MB} MB upload: answered {status} in {seconds:.2f} s over HTTP/1.1; "
        f"HTTP/2 searched {scans} times; {search.files_read} file reads, marker found: {hits}"
    )
    assert hits == []
    assert _warnings_for(proxy, proxy.https_port) == []
    assert 'POST /console/studies/nginx-study/cases/ HTTP/1.1" 400' in gunicorn.log()


def test_bodies_up_to_1_mb_stay_in_memory_and_larger_ones_are_refused(stack):
    _env, root, gunicorn, proxy = stack
    marker = f"SMALL-MARKER-{uuid.uuid4().hex}".encode()
    search = _searcher(marker, root, gunicorn, proxy)
    client, hits, statuses = Client(proxy.https_port), [], {}
    one_mb = marked(marker, 1024 * 1024)

    def scan():
        hits.extend(search.hits())

    statuses["1 MB"], _, _ = client.request(
        "POST", "/p/x/consent/", one_mb, pieces=256 * 1024, between=scan
    )

    def chunks(size):
        for at in range(0, len(one_mb), size):
            yield one_mb[at : at + size]
            if at % (256 * 1024) == 0:
                scan()

    for name, size in (("1 MB chunked", 256 * 1024), ("1 MB in 100-byte chunks", 100)):
        statuses[name], _, _ = client.request(
            "POST", "/p/x/consent/", chunks(size), {"Transfer-Encoding": "chunked"}
        )
    try:
        statuses["3 MB"], _, _ = client.request(
            "POST",
            "/p/x/consent/",
            marked(marker, 3 * 1024 * 1024),
            pieces=256 * 1024,
            between=scan,
        )
    except OSError as error:  # nginx may close the connection mid-body after its 413
        statuses["3 MB"] = repr(error)
    for http_version, size in (("--http2", 1024 * 1024), ("--http2", 3 * 1024 * 1024)):
        done = subprocess.run(
            [
                CURL,
                "-sk",
                http_version,
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-T",
                "-",
                "-X",
                "POST",
                f"{client.origin}/p/x/consent/",
            ],
            input=marked(marker, size),
            capture_output=True,
            timeout=30,
            check=False,
        )
        statuses[f"{size // 1024 // 1024} MB HTTP/2 unsized"] = done.stdout.decode()
        scan()
    scan()
    print(f"\nbodies through nginx: {statuses}; marker found: {hits}")
    assert statuses["3 MB"] == 413
    assert statuses["3 MB HTTP/2 unsized"] == "413"
    # The 1 MB bodies reached Django (403: no CSRF cookie), not refused by nginx.
    assert statuses["1 MB"] == statuses["1 MB chunked"] == 403
    assert statuses["1 MB in 100-byte chunks"] == 403
    assert statuses["1 MB HTTP/2 unsized"] == "403"
    assert hits == []
    assert _warnings_for(proxy, proxy.https_port) == []


def test_the_access_log_never_shows_a_participant_token(stack):
    _env, _root, _gunicorn, proxy = stack
    client = Client(proxy.https_port, source="127.0.0.5")  # its own token-guess budget
    paths = [
        f"/p/{SECRET}/",
        f"/s/{SECRET}/",
        f"/p/{SECRET}/case/1/?from=/s/{SECRET}/",
        f"/%70/{SECRET}/consent/",  # Django decodes %70: /p/<token>/consent/
        f"/console/login/?next=/p/{SECRET}/",
        "/console/login/?next=/console/",
    ]
    statuses = [client.request("GET", path)[0] for path in paths]
    time.sleep(0.2)
    log = proxy.access_log()
    print("\n" + "\n".join(line for line in log.splitlines() if "127.0.0.5" in line))
    assert statuses == [404, 404, 404, 404, 200, 200]
    for logged in (
        '"GET /p/[token]/ HTTP/1.1" 404',
        '"GET /s/[token]/ HTTP/1.1" 404',
        '"GET /p/[token]/case/1/?[query with a token: not logged] HTTP/1.1" 404',
        '"GET /%70/[token]/consent/ HTTP/1.1" 404',
        '"GET /console/login/?next=/console/ HTTP/1.1" 200',
    ):
        assert logged in log
    assert SECRET not in log


def test_django_sees_the_https_scheme_and_the_client_address(stack):
    env, _root, _gunicorn, proxy = stack
    client = _researcher(proxy)
    _, _, page = client.request("GET", f"/console/studies/{SLUG}/")
    status, headers, csv = client.request(
        "POST",
        f"/console/studies/{SLUG}/invitations/",
        f"count=1&csrfmiddlewaretoken={form_token(page)}",
        {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "http"},
    )
    assert status == 200, csv[:300]
    assert headers["Content-Type"].startswith("text/csv")
    (link,) = [row.split(",")[1] for row in csv.decode().splitlines()[1:]]
    assert link.startswith("https://127.0.0.1/p/"), link

    # The token-guess limit (20 a minute per client address, study/ratelimit.py) seen from a
    # guesser that claims to be 203.0.113.9: nginx connects to gunicorn from 127.0.0.1, so
    # only X-Forwarded-For (its last entry, PROXY_COUNT=1) tells the two clients apart. The
    # limiter's minutes are fixed windows that end at a second of the minute which depends on
    # the counted address: the guesser is an address whose window has most of its minute
    # left, so its 22 guesses all fall into one window however slow the machine is.
    source = _address_with_window_left(seconds=40)
    guesser = Client(proxy.https_port, source=source)
    spoof = {"X-Forwarded-For": "203.0.113.9"}
    guesses = [guesser.request("GET", f"/p/guess{n}/", headers=spoof)[0] for n in range(22)]
    other = Client(proxy.https_port, source="127.0.0.4").request("GET", "/p/guess0/")[0]
    print(f"\nlink {link}; {source}'s 22 guesses: {guesses}; 127.0.0.4's first: {other}")
    assert guesses[:20] == [404] * 20
    assert guesses[20:] == [429, 429]
    assert other == 404

    # A failed sign-in from the guesser: what django-axes and the audit event record (printed).
    _, _, page = guesser.request("GET", "/console/login/")
    status, _, _ = guesser.request(
        "POST",
        "/console/login/",
        f"username=nginx-probe&password=wrong&csrfmiddlewaretoken={form_token(page)}",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200  # the form again, with its error
    seen = json.loads(manage(env, "shell", "-c", SEEN_ADDRESSES).strip().splitlines()[-1])
    print(f"failed sign-in from {source} recorded with the address {seen}")

    status, headers, _ = http_get(proxy.http_port, "/console/login/")
    assert status == 301
    assert headers["Location"] == "https://127.0.0.1/console/login/"


def test_slow_clients_are_held_by_nginx_not_by_gunicorn(stack):
    _env, _root, gunicorn, proxy = stack
    client = Client(proxy.https_port)
    client.request("GET", "/console/login/")  # a CSRF cookie: Django would read the body
    head = (
        f"POST /p/{SECRET}/consent/ HTTP/1.1\r\nHost: 127.0.0.1:{proxy.https_port}\r\n"
        f"Cookie: csrftoken={client.cookies['csrftoken']}\r\nOrigin: {client.origin}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    ).encode()
    sockets = [client.connect(timeout=5) for _ in range(SLOW_CLIENTS)]
    for connection in sockets:
        connection.connect()
    raw = [connection.sock for connection in sockets]
    stop, threads = trickling(raw, head)
    log_before = len(gunicorn.log())
    time.sleep(1.5)
    try:
        timings = prompt_gets(client)
        passed_on = gunicorn.log()[log_before:].count("POST /p/")  # before they are cut off
    finally:
        end(stop, threads, raw)
    answered = [t for t in timings if t is not None]
    print(
        f"\n{SLOW_CLIENTS} clients at 1 byte/s through nginx: {len(answered)}/{len(timings)} "
        f"GETs within {PROMPT_SECONDS} s, slowest {max(answered, default=0):.3f} s"
    )
    assert len(timings) >= 10
    assert None not in timings
    assert passed_on == 0  # nginx never passed them on

    # Control: the same trickles straight to gunicorn's 4 threads stall it.
    direct = [socket.create_connection(("127.0.0.1", gunicorn.port), timeout=5) for _ in range(6)]
    stop, threads = trickling(direct, head)
    time.sleep(1.5)
    try:
        stalled = direct_get_fails(gunicorn.port)
    finally:
        end(stop, threads, direct)
    assert stalled, "gunicorn answered although 6 trickles held its 4 threads"
