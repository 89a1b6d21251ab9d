"""study.uploads: an upload is held in memory, bounded, and never written to disk, not even by a
worker killed mid-upload (a real server, SIGKILLed while a case archive streams in)."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory

from study.uploads import BoundedMemoryUploadHandler, upload_refusal
from tests.study.dicom_factory import synthetic_chest_dicom

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
CSRF = "a" * 32  # a well-formed CSRF secret: the middleware parses the body to compare it


def _post(files: dict, *, signed_in: bool = True, **fields):
    request = RequestFactory().post("/upload/", {**fields, **files})
    request.user = SimpleNamespace(is_authenticated=signed_in)  # as AuthenticationMiddleware
    return request


def test_given_no_signed_in_user_then_a_file_over_64_kb_is_refused_and_not_held(settings):
    # Only researchers upload: a stranger's multipart body to any URL is never held in memory.
    request = _post(
        {"archive": SimpleUploadedFile("big.zip", b"x" * (2 * MB))}, signed_in=False, a="1"
    )
    assert "archive" not in request.FILES
    assert "larger than 64 KB" in upload_refusal(request)
    assert request.POST["a"] == "1"


@pytest.mark.django_db
def test_given_a_stranger_posting_a_big_file_to_a_participant_page_then_it_is_answered(client):
    upload = SimpleUploadedFile("big.bin", b"x" * (3 * MB))
    response = client.post("/p/no-such-token/consent/", {"file": upload})
    assert response.status_code == 404


def test_given_an_upload_over_djangos_spooling_threshold_then_it_stays_in_memory(
    settings, tmp_path
):
    # Before: Django's TemporaryFileUploadHandler wrote it to FILE_UPLOAD_TEMP_DIR.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    request = _post({"archive": SimpleUploadedFile("cases.zip", b"PK" * (3 * MB))})

    upload = request.FILES["archive"]

    assert isinstance(upload, InMemoryUploadedFile)
    assert upload.size == 6 * MB
    assert upload_refusal(request) is None
    assert list(tmp_path.iterdir()) == []


def test_given_an_upload_over_the_limit_then_it_is_dropped_and_the_refusal_says_why(settings):
    settings.UPLOAD_MAX_BYTES = MB
    request = _post(
        {"archive": SimpleUploadedFile("cases.zip", b"x" * (MB + 1))}, note="kept", extra="yes"
    )

    assert "archive" not in request.FILES
    assert upload_refusal(request) == (
        "The upload is larger than 1 MB, the most this server accepts at once (it has at least "
        "1 MB); nothing was kept. Split the cases into several archives, or ask the "
        "administrator to raise UPLOAD_MAX_MB."
    )
    assert request.POST["note"] == "kept"  # fields before the file were read


def test_given_several_files_then_the_limit_is_for_the_whole_request(settings):
    settings.UPLOAD_MAX_BYTES = MB
    request = _post(
        {
            "first": SimpleUploadedFile("a.zip", b"x" * (MB // 2 + 10)),
            "second": SimpleUploadedFile("b.zip", b"x" * (MB // 2 + 10)),
        }
    )
    assert upload_refusal(request) is not None
    assert "second" not in request.FILES


def test_given_a_declared_length_far_over_the_limit_then_no_file_byte_is_taken(settings):
    settings.UPLOAD_MAX_BYTES = MB
    request = RequestFactory().post("/upload/")
    handler = BoundedMemoryUploadHandler(request)
    handler.handle_raw_input(None, request.META, 100 * MB, b"B")

    with pytest.raises(StopUpload) as raised:
        handler.new_file("archive", "cases.zip", "application/zip", None)

    assert raised.value.connection_reset is False  # the rest is read and dropped, then answered
    assert "(it has at least 100 MB)" in upload_refusal(request)


# --- a real server, killed mid-upload -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _marked_archive(marker: str) -> bytes:
    # Stored, not deflated: the DICOM's bytes (PatientName among them) are in the clear in the
    # upload, as in a real zip of DICOMs that barely compress. The padding makes it multi-MB.
    dicom = synthetic_chest_dicom(seed=9, extra={"PatientName": marker})
    assert marker.encode() in dicom
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.csv", "case,image\n")
        archive.writestr("images/patient.dcm", dicom)
        archive.writestr("images/padding.bin", os.urandom(8 * MB))
    return buffer.getvalue()


def _server(kind: str, port: int, tmp_path: Path, settings_module: str) -> subprocess.Popen:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="1",
        TMPDIR=str(tmp_path / "tmp"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=os.pathsep.join([str(tmp_path / "settings"), str(ROOT)]),
    )
    env["SECRET_KEY"] = "test-only"
    if kind == "runserver":
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    else:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"]
    log = (tmp_path / "logs" / f"{kind}.log").open("wb")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )


def _connect(port: int, server: subprocess.Popen) -> socket.socket:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited before it listened"
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start listening within 30 s")


def _stream_then_kill(port: int, server: subprocess.Popen, archive: bytes) -> None:
    boundary = "trustlab-upload-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f'{CSRF}\r\n--{boundary}\r\nContent-Disposition: form-data; name="archive"; '
        f'filename="cases.zip"\r\nContent-Type: application/zip\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + len(archive) + len(tail)
    request = (
        "POST /console/studies/any-study/cases/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\nCookie: csrftoken={CSRF}\r\n"
        f"Referer: http://127.0.0.1:{port}/\r\nConnection: close\r\n\r\n"
    ).encode()
    connection = _connect(port, server)
    try:
        connection.sendall(request + head)
        # Slowly, in 64 KB pieces, past Django's 2.5 MB spooling threshold but not to the end.
        sent = 0
        while sent < 6 * MB:
            connection.sendall(archive[sent : sent + 64 * 1024])
            sent += 64 * 1024
            time.sleep(0.002)
        time.sleep(1.0)  # let the worker take in what it was sent
        assert server.poll() is None, "the server ended before it was killed"
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    finally:
        connection.close()


def _files_holding(marker: bytes, *folders: Path) -> list[str]:
    return sorted(
        str(path)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and marker in path.read_bytes()
    )


def _killed_upload(kind: str, tmp_path: Path, settings_module: str = "config.settings"):
    for folder in ("tmp", "media", "logs", "settings"):
        (tmp_path / folder).mkdir(exist_ok=True)
    (tmp_path / "settings" / "spooling_settings.py").write_text(
        "from config.settings import *  # noqa: F403\n"
        "FILE_UPLOAD_HANDLERS = [\n"
        '    "django.core.files.uploadhandler.MemoryFileUploadHandler",\n'
        '    "django.core.files.uploadhandler.TemporaryFileUploadHandler",\n'
        "]\n"
        "FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440\n"
    )
    marker = f"Marker^{uuid.uuid4().hex}"
    port = _free_port()
    server = _server(kind, port, tmp_path, settings_module)
    try:
        _stream_then_kill(port, server, _marked_archive(marker))
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    return _files_holding(marker.encode(), tmp_path / "tmp", tmp_path / "media")


@pytest.mark.parametrize("kind", ["runserver", "gunicorn"])
def test_given_a_server_killed_mid_upload_then_no_byte_of_the_upload_is_on_disk(kind, tmp_path):
    assert _killed_upload(kind, tmp_path) == []


def test_given_djangos_default_handlers_then_the_same_kill_leaves_the_upload_on_disk(tmp_path):
    # The check above can fail: with Django's spooling handlers (the settings before issue 9),
    # the killed worker leaves /tmp/tmpXXXX.upload.zip with the patient's name in it.
    found = _killed_upload("runserver", tmp_path, "spooling_settings")
    assert len(found) == 1
    assert found[0].startswith(str(tmp_path / "tmp"))
    assert found[0].endswith(".upload.zip")
