"""services.email_sending: invitations and reminders through Django's e-mail framework (the
locmem backend of the tests), in process without a broker; time moved with ``now=``."""

import smtplib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection, transaction

from study import services
from study.models import AuditEvent, InvitationEmail, Participant, Study
from study.services import email_sending
from tests.factories import RADIOLOGIST, answer_all, gaube_study

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FailingBackend:
    """An SMTP server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


@pytest.fixture
def study(settings):
    settings.SITE_URL = "https://trials.example.org"
    study = gaube_study(title="Chest study")
    services.email_templates_set(
        study=study,
        actor=None,
        email_from="Chest team <chest@example.org>",
        invitation_subject="Invitation: {title}",
        invitation_body="Your link: {link}\nNo more e-mail: {unsubscribe_link}\n",
        reminder_subject="",
        reminder_body="",
        reminder_interval_days=7,
        reminder_max=2,
    )
    return study


def _invite(study, text, now=T0):
    rows = email_sending.invitation_emails_record(
        study=study, recipients=services.emails.recipients_parse(text)
    )
    for row in rows:
        email_sending.email_deliver(email_id=row.pk, kind="invitation", now=now)
    return [InvitationEmail.objects.select_related("participant").get(pk=r.pk) for r in rows]


@pytest.mark.django_db
def test_each_address_gets_its_own_link_from_the_studys_template(study):
    rows = services.invitations_email(study=study, text="a@example.org\nb@example.org,Ward 2")
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    for message, row in zip(mail.outbox, rows, strict=True):
        row.refresh_from_db()
        assert message.subject == "Invitation: Chest study"
        assert message.from_email == "Chest team <chest@example.org>"
        assert message.body == (
            f"Your link: https://trials.example.org/p/{row.participant.token}/\n"
            f"No more e-mail: https://trials.example.org/u/{row.unsubscribe_token}/\n"
        )
        assert message.extra_headers["List-Unsubscribe"] == (
            f"<https://trials.example.org/u/{row.unsubscribe_token}/>"
        )
        # nothing of the participant beyond the link: no public id, label or address
        assert row.participant.public_id not in message.body
        assert row.address not in message.body
        assert row.invitation_sent_at is not None
        assert row.last_sent_at == row.invitation_sent_at
    assert "Ward 2" not in mail.outbox[1].body
    sent = AuditEvent.objects.filter(action="email.sent").order_by("pk")
    assert [(e.participant_public_id, e.detail) for e in sent] == [
        (rows[0].participant.public_id, {"kind": "invitation"}),
        (rows[1].participant.public_id, {"kind": "invitation"}),
    ]
    assert "example.org" not in str([e.detail for e in AuditEvent.objects.all()])


@pytest.mark.django_db
def test_a_second_delivery_of_the_same_message_sends_nothing(study):
    (row,) = _invite(study, "a@example.org")
    again = email_sending.email_deliver(email_id=row.pk, kind="invitation")
    assert again == "already sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_send_is_kept_on_the_row_and_audited(study, settings):
    settings.EMAIL_BACKEND = "tests.study.services.test_email_sending.FailingBackend"
    (row,) = email_sending.invitation_emails_record(
        study=study, recipients=[services.emails.Recipient("a@example.org")]
    )
    with pytest.raises(smtplib.SMTPServerDisconnected):
        email_sending.email_deliver(email_id=row.pk, kind="invitation", final_attempt=False)
    assert email_sending.email_deliver(email_id=row.pk, kind="invitation") == "failed"
    row.refresh_from_db()
    assert row.invitation_sent_at is None
    assert row.last_error == "SMTPServerDisconnected: connection unexpectedly closed"
    failed = AuditEvent.objects.filter(action="email.failed").order_by("pk")
    assert [e.detail for e in failed] == [
        {"kind": "invitation", "error": "SMTPServerDisconnected", "final": False},
        {"kind": "invitation", "error": "SMTPServerDisconnected", "final": True},
    ]
    assert {e.participant_public_id for e in failed} == {row.participant.public_id}


@pytest.mark.django_db
def test_reminders_follow_the_interval_up_to_the_maximum(study):
    (row,) = _invite(study, "a@example.org")
    assert services.reminders_send_due(now=T0 + timedelta(days=6, hours=23)) == 0
    assert services.reminders_send_due(now=T0 + timedelta(days=7)) == 1
    assert services.reminders_send_due(now=T0 + timedelta(days=7, minutes=15)) == 0
    assert services.reminders_send_due(now=T0 + timedelta(days=13)) == 0
    assert services.reminders_send_due(now=T0 + timedelta(days=14)) == 1
    assert services.reminders_send_due(now=T0 + timedelta(days=60)) == 0  # reminder_max is 2
    row.refresh_from_db()
    assert (row.reminders_sent, row.last_sent_at) == (2, T0 + timedelta(days=14))
    assert [m.subject for m in mail.outbox] == [
        "Invitation: Chest study",
        "Reminder: the study Chest study",
        "Reminder: the study Chest study",
    ]
    assert row.participant.token in mail.outbox[2].body
    reminders = AuditEvent.objects.filter(action="email.sent", detail__kind="reminder")
    assert sorted(e.detail["reminder"] for e in reminders) == [1, 2]


@pytest.mark.django_db
def test_no_reminder_to_the_finished_the_unsubscribed_or_the_revoked(study):
    done, left, unsubscribed, revoked, waiting = _invite(
        study, "\n".join(f"{n}@example.org" for n in "abcde")
    )
    participant = services.participant_consent(participant=done.participant, agreed=True)
    answer_all(services.participant_enrol(participant=participant, screening=RADIOLOGIST))
    Participant.objects.filter(pk=participant.pk).update(status=Participant.Status.COMPLETED)
    services.participant_consent(participant=left.participant, agreed=False)  # declined
    services.email_unsubscribe(row=unsubscribed)
    services.link_revoke(study=study, public_id=revoked.participant.public_id)
    mail.outbox.clear()
    assert services.reminders_send_due(now=T0 + timedelta(days=8)) == 1
    assert [m.to for m in mail.outbox] == [["e@example.org"]]
    waiting.refresh_from_db()
    assert waiting.reminders_sent == 1


@pytest.mark.django_db
def test_a_closed_study_reminds_only_those_who_started(study):
    _unused, started = _invite(study, "a@example.org\nb@example.org")
    services.participant_consent(participant=started.participant, agreed=True)
    services.study_close(study=study)
    mail.outbox.clear()
    assert services.reminders_send_due(now=T0 + timedelta(days=8)) == 1
    assert [m.to for m in mail.outbox] == [["b@example.org"]]


@pytest.mark.django_db
def test_no_reminders_where_the_study_sends_none(study):
    _invite(study, "a@example.org")
    Study.objects.filter(pk=study.pk).update(reminder_max=0)
    assert services.reminders_send_due(now=T0 + timedelta(days=30)) == 0


@pytest.mark.django_db
def test_unsubscribing_is_audited_once_and_stops_the_invitation_too(study):
    (row,) = email_sending.invitation_emails_record(
        study=study, recipients=[services.emails.Recipient("a@example.org")]
    )
    services.email_unsubscribe(row=row, now=T0)
    services.email_unsubscribe(row=row, now=T0 + timedelta(days=1))
    row.refresh_from_db()
    assert row.unsubscribed_at == T0
    assert AuditEvent.objects.filter(action="email.unsubscribe").count() == 1
    assert email_sending.email_deliver(email_id=row.pk, kind="invitation") == "unsubscribed"
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_beat_runs_skip_a_row_another_run_holds(study, on_postgres):
    first, second = _invite(study, "a@example.org\nb@example.org")
    held, release = threading.Event(), threading.Event()

    def other_run():
        try:
            with transaction.atomic():
                list(InvitationEmail.objects.select_for_update().filter(pk=first.pk))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert held.wait(10)
    try:
        claimed = email_sending.reminders_claim(now=T0 + timedelta(days=8))
    finally:
        release.set()
        thread.join()
    assert claimed == [(second.pk, 1)]
    first.refresh_from_db()
    assert first.last_sent_at == T0  # untouched: the other run has it


@pytest.mark.django_db
def test_a_revoked_link_gets_no_invitation(study):
    (row,) = email_sending.invitation_emails_record(
        study=study, recipients=[services.emails.Recipient("a@example.org")]
    )
    services.link_revoke(study=study, public_id=row.participant.public_id)
    assert email_sending.email_deliver(email_id=row.pk, kind="invitation") == "link revoked"
    assert Participant.objects.get(pk=row.participant_id).status == "revoked"
    assert mail.outbox == []
