"""Downloads are written to an anonymous temporary file that is closed on every path
(study.http.download_response)."""

import tempfile
from dataclasses import dataclass

import pytest

from study import http


@dataclass(frozen=True)
class Written:
    filename: str = "trials.csv"
    content_type: str = "text/csv"


@pytest.fixture
def opened(monkeypatch):
    handles = []
    original = tempfile.TemporaryFile

    def tracked(*args, **kwargs):
        handle = original(*args, **kwargs)
        handles.append(handle)
        return handle

    monkeypatch.setattr(http.tempfile, "TemporaryFile", tracked)
    return handles


def test_given_a_failing_export_then_its_temporary_file_is_closed_at_once(opened):
    def write(handle):
        handle.write(b"participant,arm\n")
        raise RuntimeError("the export failed half-way")

    with pytest.raises(RuntimeError):
        http.download_response(write)

    (handle,) = opened
    assert handle.closed


@pytest.mark.django_db  # closing a response sends request_finished, which closes connections
def test_given_an_export_then_the_response_streams_it_and_closes_the_file_after(opened):
    def write(handle):
        handle.write(b"participant,arm\nP1,ai\n")
        return Written()

    response = http.download_response(write)

    assert b"".join(response.streaming_content) == b"participant,arm\nP1,ai\n"
    assert response["Content-Disposition"] == 'attachment; filename="trials.csv"'
    response.close()
    assert opened[0].closed
