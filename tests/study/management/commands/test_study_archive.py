"""manage.py study_archive and study_restore: a whole study survives the trip into an empty
database, row for row and byte for byte.

The second database is the same test database emptied completely after the archive was written
(archive_study.database_empty: the test runner's own flush, with SQLite's append-only triggers
lifted for it only), with a new, empty media folder: a restore onto a new server. Accounts are
gone too, so the restore has to create them."""

import hashlib
import io
import time
import types
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from study.models import AuditEvent, Participant, Study
from tests.study.archive_study import (
    archived_study_build,
    database_empty,
    stored_files,
    study_rows,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The bundle's only clock is its zip members' modification time (its manifest holds no export
# time): both exports run with this one fixed, so the two zips can be compared whole.
ZIP_CLOCK = time.mktime((2021, 2, 22, 9, 30, 0, 0, 0, -1))


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _bundle(slug: str, path) -> bytes:
    _run("export", "--study", slug, "--format", "zip", "--include-synthetic", "--output", str(path))
    return path.read_bytes()


@pytest.fixture
def zip_clock(monkeypatch):
    clock = types.SimpleNamespace(time=lambda: ZIP_CLOCK, localtime=time.localtime)
    monkeypatch.setattr(zipfile, "time", clock)


def test_a_study_restored_into_an_empty_database_exports_the_same_bundle_byte_for_byte(
    tmp_path, settings, zip_clock
):
    study = archived_study_build()
    archive = tmp_path / "study.tar"
    archived = _run("study_archive", "--study", study.slug, "--output", str(archive))
    rows_before = study_rows(study)
    assert {row["status"] for row in rows_before["participant"]} == set(Participant.Status.values)
    assert [row["version"] for row in rows_before["version"]] == [1, 2]
    media_before = stored_files(settings.MEDIA_ROOT)
    before = _bundle(study.slug, tmp_path / "before.zip")

    database_empty()
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    assert not Study.objects.exists()
    assert not get_user_model().objects.exists()
    restored = _run("study_restore", "--input", str(archive))
    sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()

    study = Study.objects.get(slug=study.slug)
    assert study_rows(study) == rows_before  # every field of every row, keys and times included
    assert stored_files(settings.MEDIA_ROOT) == media_before
    after = _bundle(study.slug, tmp_path / "after.zip")
    with zipfile.ZipFile(io.BytesIO(before)) as old, zipfile.ZipFile(io.BytesIO(after)) as new:
        assert new.namelist() == old.namelist()
        for name in old.namelist():
            assert new.read(name) == old.read(name), name
    assert after == before
    assert "study.response" in archived
    assert archived.endswith(
        f"Wrote {archive} ({archive.stat().st_size} bytes, sha256 {sha256}).\n"
    )
    assert restored.splitlines()[-2:] == [
        "accounts created inactive, without a usable password (set one to let them sign in): "
        "colleague, owner, viewer",
        f"Restored study '{study.slug}' (id {study.pk}) from {archive} (sha256 {sha256}).",
    ]


def test_the_archive_is_audited_in_itself_and_the_restore_in_the_sites_log(tmp_path):
    study = archived_study_build()
    archive = tmp_path / "study.tar"
    _run("study_archive", "--study", study.slug, "--output", str(archive))
    database_empty()

    _run("study_restore", "--input", str(archive))

    study = Study.objects.get()
    last = AuditEvent.objects.filter(study=study).order_by("created_at", "id").last()
    assert (last.action, last.detail) == (
        "study.archived",
        {"format": "trustlab-study-archive", "format_version": 1},
    )
    restore = AuditEvent.objects.get(action="study.restored")
    assert restore.study is None
    assert restore.actor is None
    assert restore.detail["study"] == study.slug
    assert restore.detail["users_created"] == ["colleague", "owner", "viewer"]
    assert restore.detail["rows"]["study.participant"] == study.participants.count()


def test_a_study_already_in_the_database_is_refused_by_name_and_nothing_is_written(tmp_path):
    study = archived_study_build()
    archive = tmp_path / "study.tar"
    _run("study_archive", "--study", study.slug, "--output", str(archive))
    events = AuditEvent.objects.count()

    with pytest.raises(CommandError) as error:
        _run("study_restore", "--input", str(archive))

    assert str(error.value) == (
        f"study.tar: a study with the slug '{study.slug}' already exists in this database "
        "(restore into a database without it); nothing was restored."
    )
    assert AuditEvent.objects.count() == events


def test_the_commands_refuse_an_unknown_study_a_missing_folder_and_a_missing_archive(tmp_path):
    with pytest.raises(CommandError) as unknown:
        _run("study_archive", "--study", "nope", "--output", str(tmp_path / "a.tar"))
    archived_study = Study.objects.create(
        title="t", slug="t", consent_text="c", debrief_text="d", cases_per_participant=1, seed=1
    )
    with pytest.raises(CommandError) as folder:
        _run("study_archive", "--study", archived_study.slug, "--output", str(tmp_path / "x/a.tar"))
    with pytest.raises(CommandError) as missing:
        _run("study_restore", "--input", str(tmp_path / "none.tar"))

    assert str(unknown.value) == "No study with slug 'nope'."
    assert str(folder.value) == f"Directory '{tmp_path / 'x'}' does not exist."
    assert str(missing.value) == f"No such file: {tmp_path / 'none.tar'}"
    assert list(tmp_path.iterdir()) == []  # nothing half-written
