"""study.tasks.email_send and reminders_send_due: the worker's retries on SMTP and network
errors (run eagerly with apply(), as the worker would run each attempt), the rate limit from
settings, and beat's run of the reminders that are due."""

import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from study import services, tasks
from study.models import AuditEvent, InvitationEmail
from study.services import email_sending
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """Refuses the first ``failures`` messages (a mail server that comes back)."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionResetError("connection reset by peer")
        return super().send_messages(messages)


@pytest.fixture
def row(settings):
    settings.EMAIL_BACKEND = "tests.study.test_tasks_email.FlakyBackend"
    FlakyBackend.failures = 0
    study = gaube_study()
    (row,) = email_sending.invitation_emails_record(
        study=study, recipients=[services.emails.Recipient("a@example.org")]
    )
    return row


def test_the_send_task_is_throttled_and_retried_as_configured():
    assert tasks.email_send.rate_limit == settings.EMAIL_RATE_LIMIT
    assert tasks.email_send.max_retries == tasks.EMAIL_MAX_RETRIES
    assert set(tasks.email_send.autoretry_for) == {smtplib.SMTPException, OSError}
    assert tasks.email_send.name == "study.tasks.email_send"
    assert tasks.reminders_send_due.name in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_a_send_that_fails_twice_is_retried_and_sent_once(row):
    FlakyBackend.failures = 2
    result = tasks.email_send.apply(args=[row.pk, "invitation", 0])
    assert result.get() == "sent"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.invitation_sent_at is not None
    assert row.last_error == ""
    failed = AuditEvent.objects.filter(action="email.failed").order_by("pk")
    assert [e.detail["final"] for e in failed] == [False, False]


def test_the_last_attempt_keeps_the_error_and_stops(row):
    FlakyBackend.failures = tasks.EMAIL_MAX_RETRIES + 5
    result = tasks.email_send.apply(args=[row.pk, "invitation", 0])
    assert result.get() == "failed"
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.last_error == "ConnectionResetError: connection reset by peer"
    finals = AuditEvent.objects.filter(action="email.failed").values_list(
        "detail__final", flat=True
    )
    assert sorted(finals) == [False] * tasks.EMAIL_MAX_RETRIES + [True]


def test_beats_task_sends_the_due_reminders(row):
    InvitationEmail.objects.filter(pk=row.pk).update(
        invitation_sent_at="2026-01-01T00:00Z", last_sent_at="2026-01-01T00:00Z"
    )
    study = row.participant.study
    study.reminder_max = 1
    study.save(update_fields=["reminder_max"])
    assert tasks.reminders_send_due.apply().get() == 1
    assert [m.subject for m in mail.outbox] == [f"Reminder: the study {study.title}"]
    assert tasks.reminders_send_due.apply().get() == 0
