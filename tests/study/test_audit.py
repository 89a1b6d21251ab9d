"""The audit log (issue 8 point 7): append-only in the database (with the design versions),
console logins, logouts and failed logins recorded, and never a participant's or a self-enrolment
link's token in it."""

import json

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from study import services
from study.models import AuditEvent, DesignVersion, Participant, Study
from tests.factories import StudyFactory, UserFactory, gaube_study

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"  # UserFactory's


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
        # Back to the latest migration, not only to 0006: every later test needs the whole schema.
        executor.migrate(executor.loader.graph.leaf_nodes())
    _refused(lambda: rows.update(detail={}), table="study_auditevent", verb="UPDATE")
    assert rows.get().detail == {"unguarded": True}


# Console logins --------------------------------------------------------------------------------


def _console_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="console.").order_by("id"))


def _no_password_in(event: AuditEvent) -> None:
    assert PASSWORD not in json.dumps(event.detail)
    assert "*" not in json.dumps(event.detail)  # not even Django's masked copy of it
    assert set(event.detail) == {"username", "ip"}


def test_given_a_researcher_when_they_log_in_and_out_then_both_are_audited(client):
    user = UserFactory(username="dr-login")

    response = client.post(reverse("console:login"), {"username": "dr-login", "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("console:logout"))

    login, logout = _console_events()
    assert (login.action, login.actor, login.study) == ("console.login", user, None)
    assert login.detail == {"username": "dr-login", "ip": "127.0.0.1"}
    assert (logout.action, logout.actor, logout.study) == ("console.logout", user, None)
    assert logout.detail == {"username": "dr-login", "ip": "127.0.0.1"}
    for event in (login, logout):
        _no_password_in(event)


def test_given_a_wrong_password_when_someone_logs_in_then_the_attempt_is_audited(client):
    UserFactory(username="dr-login")

    response = client.post(
        reverse("console:login"),
        {"username": "dr-login", "password": PASSWORD + "-wrong"},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 200  # the form again, with its error
    (failed,) = _console_events()
    assert (failed.action, failed.actor, failed.study) == ("console.login_failed", None, None)
    assert failed.detail == {"username": "dr-login", "ip": "203.0.113.7"}
    _no_password_in(failed)
    assert "wrong" not in json.dumps(failed.detail)


def test_given_an_unknown_long_username_when_it_fails_then_the_audit_keeps_150_characters(client):
    attempted = "x" * 140 + "y" * 60
    client.post(reverse("console:login"), {"username": attempted, "password": PASSWORD})
    (failed,) = _console_events()
    assert failed.detail["username"] == attempted[:150]


def test_given_nobody_signed_in_when_logout_is_posted_then_nothing_is_audited(client):
    client.post(reverse("console:logout"))
    assert _console_events() == []


# Never a token ---------------------------------------------------------------------------------


def _walk_the_flow(client, entry: str) -> None:
    """Consent, screening, every trial, the questionnaire and the debrief, through the pages."""
    client.post(entry + "consent/", {"agree": "yes"})
    client.post(
        entry + "about-you/",
        {
            "specialty": "radiology",
            "training_level": "attending",
            "years_experience": "10",
            "prior_ai_use": "never",
        },
    )
    while (page := client.get(entry, follow=True)).redirect_chain[-1][0].rstrip("/").split("/")[
        -2
    ] == "case":
        url = page.redirect_chain[-1][0]
        trial = page.context["trial"]
        client.post(
            url,
            {
                "advice_rating": "5",
                "decision": "accept",
                "final_diagnosis": trial.advice.diagnosis,
                "confidence": "6",
            },
        )
    assert page.redirect_chain[-1][0].endswith("/questionnaire/")
    client.post(entry + "questionnaire/", {"ai_attitude": "4", "advice_usefulness": "5"})
    client.post(entry + "debrief/", {"choice": "keep"})


def test_given_a_full_participant_flow_when_the_audit_log_is_read_then_no_token_is_in_it(client):
    owner = UserFactory()
    study = gaube_study(owner=owner)
    (invited,) = services.invitations_create(study=study, count=1, actor=owner)
    _walk_the_flow(client, reverse("participant:entry", args=[invited.token]))
    study = services.self_enrolment_enable(study=study, actor=owner)
    link = reverse("participant:open_link", args=[study.self_enrolment_token])
    assert client.get(link).status_code == 200
    joined = client.post(link)
    self_enrolled = Participant.objects.exclude(pk=invited.pk).get(study=study)
    assert joined["Location"] == reverse("participant:entry", args=[self_enrolled.token])
    _walk_the_flow(client, joined["Location"])
    link_token = study.self_enrolment_token
    services.self_enrolment_disable(study=study, actor=owner)

    assert set(Participant.objects.values_list("status", flat=True)) == {"completed"}
    tokens = {link_token, *Participant.objects.values_list("token", flat=True)}
    events = list(AuditEvent.objects.all())
    actions = {event.action for event in events}
    assert {
        "invitations.create",
        "participant.consent",
        "participant.enrol",
        "participant.self_enrol",
        "self_enrolment.enable",
    } <= actions, actions
    for event in events:
        written = json.dumps([event.action, event.participant_public_id, event.detail])
        assert not [token for token in tokens if token in written], event.action
