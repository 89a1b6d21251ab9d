"""The import_cases command: all cases or none, and a non-zero exit whenever nothing is stored."""

import errno
import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError

from study.models import Case
from tests.study.services.test_imports import (
    HEADER,
    _good_archive,
    _mixed_archive,
    _row,
    _study,
    _zip,
)

pytestmark = pytest.mark.django_db


def test_given_a_good_archive_then_each_file_is_printed_and_every_case_is_stored(tmp_path):
    study = _study()
    path = tmp_path / "cases.zip"
    path.write_bytes(_good_archive().getvalue())
    out = io.StringIO()

    call_command("import_cases", "--study", study.slug, str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("needs_review images/rg1.dcm (case A1): imported; BurnedIn")
    assert lines[-1] == "3 case(s) imported."
    assert study.cases.count() == 3


def test_given_a_refused_file_then_the_command_fails_and_nothing_is_stored(tmp_path):
    study = _study()
    path = tmp_path / "cases.zip"
    path.write_bytes(_mixed_archive()[0].getvalue())
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"Nothing was imported: 2 file\(s\) refused"):
        call_command("import_cases", "--study", study.slug, str(path), stdout=out)

    assert "refused      images/broken.dcm (case A4)" in out.getvalue()
    assert not Case.objects.filter(study=study).exists()


def test_given_a_bad_manifest_then_the_command_fails_and_says_nothing_was_imported(tmp_path):
    study = _study()
    path = tmp_path / "cases.zip"
    path.write_bytes(_zip({"manifest.csv": (HEADER + _row("A1", "x.dcm")).encode()}).getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 manifest problem\(s\); nothing was imported\."):
        call_command("import_cases", "--study", study.slug, str(path), stderr=err)
    assert "manifest row 1, column 'image': 'x.dcm' is not in the archive" in err.getvalue()


def test_given_a_full_disk_then_the_command_fails_naming_it(tmp_path, monkeypatch):
    study = _study()
    path = tmp_path / "cases.zip"
    path.write_bytes(_good_archive().getvalue())

    def full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full)
    with pytest.raises(CommandError, match="nothing was imported, because the image store could"):
        call_command("import_cases", "--study", study.slug, str(path))
    assert not Case.objects.filter(study=study).exists()
