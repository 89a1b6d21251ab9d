"""study_archive and study_restore (study.services.archives): what the archive holds, keys that
are taken in the target, accounts, and failures that leave nothing written."""

import hashlib
import io
import json
import tarfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

from study import selectors, services
from study.models import AuditEvent, Participant, Study, Trial
from study.services.archive_format import archive_plan, migration_state
from study.services.archives import StudyArchiveError, study_archive, study_restore
from tests.factories import UserFactory
from tests.study.archive_study import (
    DISPLAY,
    PRESET,
    archive_bytes,
    archive_edited,
    database_empty,
    first_row_edited,
    small_study,
    stored_files,
    study_rows,
)


def _restore(data: bytes) -> services.archives.RestoreSummary:
    return study_restore(source=io.BytesIO(data))


def _tables(study: Study) -> dict[str, list]:
    """The study's export rows (no database keys in them)."""
    return {
        "trials": list(selectors.trial_rows(study=study, include_synthetic=True)),
        "participants": list(selectors.participant_rows(study=study)),
        "cases": list(selectors.case_rows(study=study)),
        "audit": list(selectors.audit_rows(study=study)),
        "design": selectors.design_version_records(study=study),
    }


def test_the_plan_is_the_study_and_every_model_with_a_chain_of_keys_to_it_parents_first():
    assert [(a.label, a.study_lookup) for a in archive_plan()] == [
        ("study.study", "pk"),
        ("study.arm", "study"),
        ("study.diagnosisoption", "study"),
        ("study.studymembership", "study"),
        ("study.stratumcounter", "study"),
        ("study.designversion", "study"),
        ("study.auditevent", "study"),
        ("study.case", "study"),
        ("study.advice", "case__study"),
        ("study.exampleimage", "study"),
        ("study.participant", "study"),
        ("study.trial", "participant__study"),
        ("study.response", "trial__participant__study"),
        ("study.invitationemail", "participant__study"),
    ]


@pytest.mark.django_db
def test_the_archive_is_a_tar_of_rows_files_and_a_manifest_that_checks_every_member():
    study = small_study()
    output = io.BytesIO()

    summary = study_archive(study=study, output=output)

    data = output.getvalue()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        names = tar.getnames()
        members = {name: tar.extractfile(name).read() for name in names}
    manifest = json.loads(members["manifest.json"])
    assert names[-1] == "manifest.json"
    assert (manifest["format"], manifest["format_version"], manifest["study"]) == (
        "trustlab-study-archive",
        1,
        "small",
    )
    assert manifest["migrations"] == migration_state(connection=connection)
    assert manifest["users"] == ["colleague", "owner"]
    assert [entry["name"] for entry in manifest["media"]] == [DISPLAY, PRESET]
    assert members["media/" + PRESET] == b"\x89PNG bone"
    for entry in (*manifest["tables"], *manifest["media"]):
        content = members[entry["member"]]
        assert (entry["bytes"], entry["sha256"]) == (
            len(content),
            hashlib.sha256(content).hexdigest(),
        )
    trials = [json.loads(line) for line in members["rows/study.trial.jsonl"].splitlines()]
    assert [row["pk"] for row in trials] == sorted(
        Trial.objects.filter(participant__study=study).values_list("pk", flat=True)
    )
    assert summary.sha256 == hashlib.sha256(data).hexdigest()
    assert summary.bytes == len(data)
    assert summary.rows["study.trial"] == 16
    assert summary.rows["study.participant"] == 2
    assert (summary.media_files, summary.users) == (2, ("colleague", "owner"))


@pytest.mark.django_db(transaction=True)
def test_keys_taken_in_the_target_get_new_ones_and_every_reference_follows():
    database_empty()  # both studies below then get the same keys, from 1
    study = small_study()
    data = archive_bytes(study)
    tables = _tables(study)  # the archive's own event, study.archived, included
    database_empty()
    other = small_study(slug="other")
    other_rows = study_rows(other)

    summary = _restore(data)

    restored = Study.objects.get(slug="small")
    assert restored.pk != other.pk
    # every model with rows in the archive (this study has no e-mailed invitations)
    assert summary.remapped == tuple(a.label for a in archive_plan() if summary.rows.get(a.label))
    assert "study.invitationemail" in {a.label for a in archive_plan()}
    assert "study.job" not in {a.label for a in archive_plan()}
    assert _tables(restored) == tables
    assert study_rows(other) == other_rows
    trials = Trial.objects.filter(participant__study=restored)
    assert trials.count() == 16
    assert not trials.exclude(case__study=restored).exists()
    assert not trials.exclude(advice__case__study=restored).exists()
    assert not Participant.objects.filter(study=restored).exclude(arm__study=restored).exists()
    assert (summary.users_matched, summary.users_created) == (("colleague", "owner"), ())
    assert (summary.media_written, summary.media_present) == (0, 2)
    services.invitations_create(study=restored, count=1)  # new keys after the restored ones


@pytest.mark.django_db(transaction=True)
def test_accounts_are_matched_by_username_and_missing_ones_created_inactive_without_password():
    data = archive_bytes(small_study())
    database_empty()
    owner = UserFactory(username="owner")

    summary = _restore(data)

    colleague = get_user_model().objects.get(username="colleague")
    owner.refresh_from_db()
    assert (summary.users_matched, summary.users_created) == (("owner",), ("colleague",))
    assert (colleague.is_active, colleague.has_usable_password()) == (False, False)
    assert (owner.is_active, owner.check_password("correct horse battery")) == (True, True)
    study = Study.objects.get(slug="small")
    assert set(study.memberships.values_list("user__username", "role")) == {
        ("owner", "owner"),
        ("colleague", "viewer"),
    }


def _nothing_written(media_root) -> tuple:
    return (
        list(Study.objects.values_list("slug", flat=True)),
        get_user_model().objects.count(),
        AuditEvent.objects.count(),
        stored_files(media_root) if media_root.exists() else {},
    )


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses_rolls_everything_back(settings, tmp_path):
    data = archive_bytes(small_study())
    database_empty()
    settings.MEDIA_ROOT = tmp_path / "restored"

    def rating(record):
        record["fields"]["advice_rating"] = 99  # passes the type checks, not the constraint

    with pytest.raises(StudyArchiveError) as error:
        _restore(
            archive_edited(data, first_row_edited("rows/study.response.jsonl", rating), rehash=True)
        )

    assert str(error.value).startswith(
        "rows/study.response.jsonl line 1: the database refused the row ("
    )
    assert _nothing_written(settings.MEDIA_ROOT) == ([], 0, 0, {})


@pytest.mark.django_db(transaction=True)
def test_stored_files_written_before_a_failure_are_deleted_again(settings, tmp_path, monkeypatch):
    data = archive_bytes(small_study())
    database_empty()
    settings.MEDIA_ROOT = tmp_path / "restored"
    save = FileSystemStorage._save

    def save_then_fail(self, name, content):
        if name == PRESET:
            raise OSError("No space left on device")
        return save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_fail)

    with pytest.raises(OSError, match="No space left on device"):
        _restore(data)

    assert _nothing_written(settings.MEDIA_ROOT) == ([], 0, 0, {})


@pytest.mark.django_db(transaction=True)
def test_a_stored_file_of_the_same_name_with_other_content_is_refused(settings, tmp_path):
    data = archive_bytes(small_study())
    database_empty()
    settings.MEDIA_ROOT = tmp_path / "restored"
    default_storage.save(DISPLAY, ContentFile(b"another image"))

    with pytest.raises(StudyArchiveError) as error:
        _restore(data)

    assert str(error.value) == f"stored file '{DISPLAY}' already exists here with other content"
    assert _nothing_written(settings.MEDIA_ROOT) == ([], 0, 0, {DISPLAY: b"another image"})


@pytest.mark.django_db
def test_a_study_with_a_stored_file_missing_is_not_archived_nor_audited_as_archived():
    study = small_study()
    default_storage.delete(PRESET)

    with pytest.raises(StudyArchiveError) as error:
        study_archive(study=study, output=io.BytesIO())

    assert str(error.value) == (
        f"stored file '{PRESET}' is missing from storage: the archive would be incomplete"
    )
    assert not AuditEvent.objects.filter(action="study.archived").exists()


@pytest.mark.django_db
def test_participants_already_here_are_refused_without_showing_their_tokens():
    study = small_study()
    data = archive_bytes(study)
    Study.objects.filter(pk=study.pk).update(slug="renamed")

    with pytest.raises(StudyArchiveError) as error:
        _restore(data)

    assert str(error.value) == (
        "study.participant.token values of the archive already exist in this database "
        "(2 of them, not shown)"
    )
    assert list(Study.objects.values_list("slug", flat=True)) == ["renamed"]
