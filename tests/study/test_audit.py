"""The audit log (issue 8 point 7): append-only in the database (with the design versions)."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from study import services
from study.models import AuditEvent, DesignVersion, Study
from tests.factories import StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refused(operation, *, table: str, verb: str) -> None:
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        operation()
    # one exception class on both databases: PostgreSQL's trigger raises restrict_violation
    assert isinstance(error.value, IntegrityError)
    assert f"{table} is append-only: {verb} refused" in str(error.value)


def _design_version(study: Study) -> DesignVersion:
    return DesignVersion.objects.create(
        study=study, version=1, document={"a": 1}, sha256="0" * 64, effective_at=timezone.now()
    )


# Append-only at the database -------------------------------------------------------------------


def test_given_an_audit_event_when_it_is_updated_or_deleted_then_the_database_refuses():
    study = StudyFactory()
    event = services.audit_record(action="study.edit", study=study, detail={"fields": ["title"]})
    rows = AuditEvent.objects.filter(pk=event.pk)

    _refused(lambda: rows.update(action="forged"), table="study_auditevent", verb="UPDATE")
    _refused(lambda: rows.update(study=None), table="study_auditevent", verb="UPDATE")
    _refused(rows.delete, table="study_auditevent", verb="DELETE")
    event.detail = {"fields": []}
    _refused(event.save, table="study_auditevent", verb="UPDATE")

    event.refresh_from_db()
    assert (event.action, event.detail, event.study_id) == (
        "study.edit",
        {"fields": ["title"]},
        study.pk,
    )


def test_given_the_append_only_log_when_events_are_written_then_inserting_still_works():
    before = AuditEvent.objects.count()
    services.audit_record(action="report", detail={"trials": 0})
    AuditEvent.objects.create(action="export")
    assert AuditEvent.objects.count() == before + 2


def test_given_a_design_version_when_it_is_updated_or_deleted_then_the_database_refuses():
    study = StudyFactory()
    version = _design_version(study)
    rows = DesignVersion.objects.filter(pk=version.pk)

    _refused(lambda: rows.update(sha256="f" * 64), table="study_designversion", verb="UPDATE")
    _refused(rows.delete, table="study_designversion", verb="DELETE")
    assert DesignVersion.objects.get(pk=version.pk).sha256 == "0" * 64
    DesignVersion.objects.create(
        study=study, version=2, document={}, sha256="1" * 64, effective_at=timezone.now()
    )
    assert DesignVersion.objects.filter(study=study).count() == 2


def test_given_an_audited_study_or_user_when_it_is_deleted_then_the_database_refuses():
    # Intended: studies are closed and users deactivated, never deleted (model docstrings).
    user, study = UserFactory(), StudyFactory()
    services.audit_record(action="study.edit", study=study, actor=user)
    _refused(study.delete, table="study_auditevent", verb="UPDATE")  # its SET_NULL
    _refused(user.delete, table="study_auditevent", verb="UPDATE")
    versioned = StudyFactory()
    _design_version(versioned)
    _refused(versioned.delete, table="study_designversion", verb="DELETE")  # its CASCADE
    assert Study.objects.filter(pk__in=[study.pk, versioned.pk]).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", ["first", "second"])
def test_given_transactional_tests_when_each_is_flushed_then_the_next_starts_empty_and_guarded(
    run,
):
    # The flush after a transactional test empties the log (TRUNCATE on PostgreSQL, where row
    # triggers do not fire; on SQLite tests/conftest.py lifts the triggers around its DELETE) and
    # leaves the triggers in place: the second run finds no event of the first and is refused.
    assert AuditEvent.objects.filter(action="flush.check").count() == 0
    event = services.audit_record(action="flush.check", detail={"run": run})
    _refused(AuditEvent.objects.filter(pk=event.pk).delete, table="study_auditevent", verb="DELETE")


@pytest.mark.django_db(transaction=True)
def test_given_migration_0006_when_it_is_reversed_then_the_triggers_are_gone_and_come_back():
    event = services.audit_record(action="migration.check")
    rows = AuditEvent.objects.filter(pk=event.pk)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("study", "0005_research_integrity")])
        rows.update(detail={"unguarded": True})  # no trigger: the update goes through
    finally:
        executor.loader.build_graph()
        executor.migrate([("study", "0006_audit_append_only")])
    _refused(lambda: rows.update(detail={}), table="study_auditevent", verb="UPDATE")
    assert rows.get().detail == {"unguarded": True}
