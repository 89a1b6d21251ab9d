"""Case images on a full disk (found by the fault drill): a failed write leaves nothing under the
content-hash name, the import stores nothing and says why, and a damaged copy already under a
name is written again instead of being reused."""

import errno
import hashlib
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse

from study.models import AuditEvent, Case
from study.services.cases import ImageStoreError, _store
from study.services.imports import cases_import
from tests.factories import UserFactory
from tests.study.services.test_imports import _good_archive, _study

pytestmark = pytest.mark.django_db


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


@pytest.fixture
def full_disk(monkeypatch):
    """A file system that takes the first `room` bytes of the next write, then is full."""
    original = FileSystemStorage._save
    state = {"room": 100}

    def save(self, name, content):
        data = content.read()
        partial = Path(self.path(name))
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data[: state["room"]])  # what the disk took before it was full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    yield state
    monkeypatch.setattr(FileSystemStorage, "_save", original)


def test_given_a_full_disk_then_the_write_fails_and_leaves_nothing(settings, full_disk):
    with pytest.raises(ImageStoreError, match="No space left on device"):
        _store("dicom", b"x" * 5000, ".dcm")
    assert _files(Path(settings.MEDIA_ROOT)) == {}


def test_given_a_damaged_copy_under_the_name_then_it_is_written_again(settings):
    content = b"derivative bytes" * 100
    name = f"cases/display/{hashlib.sha256(content).hexdigest()[:24]}.png"
    default_storage.save(name, __import__("io").BytesIO(content[:10]))  # cut short earlier

    stored, wrote = _store("display", content, ".png")

    assert (stored, wrote) == (name, True)
    assert default_storage.open(name).read() == content


def test_given_a_full_disk_during_an_import_then_nothing_is_kept_and_a_later_import_is_whole(
    settings, monkeypatch
):
    study = _study()
    original = FileSystemStorage._save
    writes = {"count": 0}

    def third_write_fills_the_disk(self, name, content):
        writes["count"] += 1
        if writes["count"] == 3:
            Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
            Path(self.path(name)).write_bytes(content.read()[:64])
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", third_write_fills_the_disk)
    with pytest.raises(ImageStoreError):
        cases_import(study=study, archive=_good_archive())
    assert not Case.objects.filter(study=study).exists()
    assert _files(Path(settings.MEDIA_ROOT)) == {}
    refused = AuditEvent.objects.get(action="cases.import_refused")
    assert "No space left on device" in refused.detail["image_store"]

    monkeypatch.setattr(FileSystemStorage, "_save", original)  # the disk has room again
    report = cases_import(study=study, archive=_good_archive())

    assert report.stored
    for case in Case.objects.filter(study=study):
        for field in (case.dicom_file, case.display_image, case.preview_image):
            data = default_storage.open(field.name).read()
            # every stored file holds the bytes its content-hash name promises
            assert Path(field.name).stem == hashlib.sha256(data).hexdigest()[:24]


def test_given_a_full_disk_then_the_console_answers_507_with_what_to_do(client, full_disk):
    owner = UserFactory(username="owner-disk")
    study = _study(owner=owner)
    client.force_login(owner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cases.zip", _good_archive().getvalue())
    page = client.post(reverse("console:cases", args=[study.slug]), {"archive": upload})

    assert page.status_code == 507
    text = page.content.decode()
    assert "nothing was imported, because the image store could not take" in text
    assert "upload it again" in text
    assert not Case.objects.filter(study=study).exists()
