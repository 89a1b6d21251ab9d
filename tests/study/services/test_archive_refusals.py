"""study_restore refuses a damaged, tampered or foreign archive with a message naming the problem,
before anything is written. Each case starts from a good archive of a small study."""

import hashlib
import io
import json
import tarfile

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from study.models import AuditEvent, Study
from study.services.archives import StudyArchiveError, study_restore
from tests.study.archive_study import (
    DISPLAY,
    archive_bytes,
    archive_edited,
    first_row_edited,
    small_study,
    stored_files,
    tar_members,
    tar_write,
)

pytestmark = pytest.mark.django_db

RESPONSES = "rows/study.response.jsonl"


def _not_a_tar(data):
    return b"PK\x03\x04 a zip, not a tar" * 40, "not a tar archive, or a damaged one"


def _empty(data):
    return b"", "not a tar archive, or a damaged one"


def _members(data):
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        return tar.getmembers()


def _truncated(data):
    # Mid-way through the data of the largest member: the tar reader itself fails.
    member = max(_members(data), key=lambda info: info.size)
    return data[: member.offset_data + member.size // 2], "not a tar archive, or a damaged one"


def _truncated_at_a_block(data):
    # Just before the last member's header: the members before the cut read as a complete,
    # shorter tar, so only the missing end-of-archive marker tells it was cut.
    last = _members(data)[-1]
    return data[: last.offset], (
        "not a tar archive, or a damaged one: it ends without the end-of-archive marker "
        "(the file was cut short)"
    )


def _altered(data):
    members = tar_members(data)
    changed = members[RESPONSES].replace(b'"confidence":6', b'"confidence":7', 1)
    manifest = json.loads(members["manifest.json"])
    (entry,) = [e for e in manifest["tables"] if e["member"] == RESPONSES]
    members[RESPONSES] = changed
    sha256 = hashlib.sha256(changed).hexdigest()
    return tar_write(list(members.items())), (
        f"member '{RESPONSES}' is damaged or altered: sha256 {sha256} ({len(changed)} bytes), "
        f"the manifest says {entry['sha256']} ({entry['bytes']} bytes)"
    )


def _member_missing(data):
    def edit(members, manifest):
        del members["media/" + DISPLAY]

    return archive_edited(data, edit), f"member 'media/{DISPLAY}' (in the manifest) is missing"


def _manifest_missing(data):
    members = tar_members(data)
    del members["manifest.json"]
    return tar_write(list(members.items())), "no manifest.json: not a TrustLab study archive"


def _manifest_not_json(data):
    members = tar_members(data)
    members["manifest.json"] = b"{not json"
    return tar_write(list(members.items())), "manifest.json is not valid JSON"


def _format_version(data):
    def edit(members, manifest):
        manifest["format_version"] = 2

    return archive_edited(
        data, edit
    ), "archive format version 2: this TrustLab reads version 1 only"


def _format(data):
    def edit(members, manifest):
        manifest["format"] = "someone-elses-backup"

    return archive_edited(data, edit), (
        "not a TrustLab study archive: manifest.json has format 'someone-elses-backup'"
    )


def _added(name):
    def case(data):
        members = list(tar_members(data).items())
        return tar_write([(name, b"root::0:0::/root:/bin/sh\n"), *members]), (
            f"unsafe member name '{name}': not a plain relative path"
        )

    return case


def _link(data):
    link = tarfile.TarInfo("media/cases/display/link.png")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    members = list(tar_members(data).items())
    return tar_write([*members[:-1], (link.name, link), members[-1]]), (
        "member 'media/cases/display/link.png' is not a regular file"
    )


def _unlisted(data):
    members = list(tar_members(data).items())
    return tar_write([("notes.txt", b"hello"), *members]), (
        "member 'notes.txt' is not listed in the manifest"
    )


def _twice(data):
    members = list(tar_members(data).items())
    arms = next(item for item in members if item[0] == "rows/study.arm.jsonl")
    return tar_write([arms, *members]), "member 'rows/study.arm.jsonl' appears twice"


def _migrations(data):
    def edit(members, manifest):
        manifest["migrations"]["study"] = manifest["migrations"]["study"][:-1]

    here = [name for app, name in sorted(_applied()) if app == "study"]
    return archive_edited(data, edit), (
        f"the archive was written at study migration {here[-2]} ({len(here) - 1} applied), "
        f"this database is at {here[-1]} ({len(here)} applied): restore it into a database at "
        "the archive's migrations, then migrate"
    )


def _applied():
    return MigrationRecorder(connection).applied_migrations()


def _dangling(data):
    def case(record):
        record["fields"]["case"] = 999_999

    edit = first_row_edited("rows/study.trial.jsonl", case)
    return archive_edited(data, edit, rehash=True), (
        "rows/study.trial.jsonl line 1: field 'case': study.case 999999 is not in the archive"
    )


def _unknown_field(data):
    def case(record):
        record["fields"]["colour"] = "red"

    edit = first_row_edited("rows/study.arm.jsonl", case)
    return archive_edited(data, edit, rehash=True), (
        "rows/study.arm.jsonl line 1: fields missing [], unknown ['colour']"
    )


def _naive_time(data):
    def case(record):
        record["fields"]["created_at"] = "2021-02-22T09:30:00"

    edit = first_row_edited("rows/study.auditevent.jsonl", case)
    return archive_edited(data, edit, rehash=True), (
        "rows/study.auditevent.jsonl line 1: field 'created_at': expected a timestamp with its "
        "UTC offset, got '2021-02-22T09:30:00'"
    )


def _wrong_type(data):
    def case(record):
        record["fields"]["confidence"] = "6"

    edit = first_row_edited(RESPONSES, case)
    return archive_edited(data, edit, rehash=True), (
        f"{RESPONSES} line 1: field 'confidence': expected a whole number, got '6'"
    )


def _stray_account(data):
    def case(record):
        record["fields"]["user"] = "mallory"

    edit = first_row_edited("rows/study.studymembership.jsonl", case)
    return archive_edited(data, edit, rehash=True), (
        "rows/study.studymembership.jsonl line 1: field 'user': account 'mallory' is not in "
        "the manifest"
    )


def _media_name(data):
    def edit(members, manifest):
        manifest["media"][0]["name"] = "../../etc/cron.d/x"

    return archive_edited(data, edit), (
        "unsafe stored file name '../../etc/cron.d/x': not a plain relative path"
    )


CASES = {
    "not a tar": _not_a_tar,
    "empty file": _empty,
    "truncated": _truncated,
    "truncated at a block": _truncated_at_a_block,
    "altered member": _altered,
    "missing member": _member_missing,
    "no manifest": _manifest_missing,
    "manifest not JSON": _manifest_not_json,
    "format version": _format_version,
    "other format": _format,
    "parent path": _added("../../etc/passwd"),
    "absolute path": _added("/etc/passwd"),
    "symbolic link": _link,
    "unlisted member": _unlisted,
    "member twice": _twice,
    "other migrations": _migrations,
    "dangling reference": _dangling,
    "unknown field": _unknown_field,
    "naive timestamp": _naive_time,
    "wrong type": _wrong_type,
    "account not listed": _stray_account,
    "stored file outside": _media_name,
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_bad_archive_is_refused_naming_the_problem_and_nothing_is_written(case, settings):
    tampered, message = case(archive_bytes(small_study()))
    before = (
        Study.objects.count(),
        get_user_model().objects.count(),
        AuditEvent.objects.count(),
        stored_files(settings.MEDIA_ROOT),
    )

    with pytest.raises(StudyArchiveError) as error:
        study_restore(source=io.BytesIO(tampered))

    assert str(error.value) == message
    assert before == (
        Study.objects.count(),
        get_user_model().objects.count(),
        AuditEvent.objects.count(),
        stored_files(settings.MEDIA_ROOT),
    )
