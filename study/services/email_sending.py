"""Sending invitations and reminders: one Celery task per message (``study.tasks.email_send``,
throttled by EMAIL_RATE_LIMIT and retried by the worker on SMTP and network errors), or in
process when no broker is configured. Every send and every failed attempt is audited with the
participant's public id, never the address.

A message is sent under its row's lock and only when still due: a second delivery of one task
(Celery acknowledges late) finds it sent and sends nothing; reminders are claimed under
``select_for_update(skip_locked=True)``, so two beat runs at once never remind anyone twice."""

import logging
import smtplib
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from study.models import InvitationEmail, Participant, Study
from study.selectors.links import NOT_REMINDED

from .audit import Actor, audit_record
from .emails import (
    email_render,
    email_sender,
    email_texts,
    invitation_emails_record,
    participant_link,
    recipients_parse,
    unsubscribe_link,
)

log = logging.getLogger(__name__)

TASK_NAME: Final = "study.tasks.email_send"
INVITATION: Final = "invitation"
REMINDER: Final = "reminder"
# What the worker retries (after which the last error is kept on the row and audited).
SEND_ERRORS: Final = (smtplib.SMTPException, OSError)
STARTED: Final = (Participant.Status.CONSENTED, Participant.Status.IN_PROGRESS)
ERROR_MAX: Final = InvitationEmail._meta.get_field("last_error").max_length


def email_queue(*, email_id: int, kind: str, number: int = 0, now: datetime | None = None) -> None:
    """Send one message: in process without a broker (at ``now``), else as a task once the
    caller's transaction has committed."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        email_deliver(email_id=email_id, kind=kind, number=number, now=now)
        return

    def send() -> None:
        from config.celery import app  # the broker connection is the Celery app's

        app.send_task(TASK_NAME, args=[email_id, kind, number])

    transaction.on_commit(send)


def invitations_email(*, study: Study, text: str, actor: Actor = None) -> list[InvitationEmail]:
    """Invite the pasted addresses (services.emails.recipients_parse): a new link each, then
    one message each, queued after the links are committed."""
    rows = invitation_emails_record(study=study, recipients=recipients_parse(text), actor=actor)
    for row in rows:
        email_queue(email_id=row.pk, kind=INVITATION)
    return rows


def _still_due(row: InvitationEmail, kind: str, number: int) -> str:
    """Why the message is no longer sent (empty: it is due)."""
    if row.unsubscribed_at is not None:
        return "unsubscribed"
    if kind == INVITATION:
        if row.invitation_sent_at is not None:
            return "already sent"
        if row.participant.status == Participant.Status.REVOKED:
            return "link revoked"
        return ""
    if row.reminders_sent >= number:
        return "already sent"
    if row.participant.status in NOT_REMINDED:
        return "finished"
    return ""


def email_deliver(
    *,
    email_id: int,
    kind: str,
    number: int = 0,
    final_attempt: bool = True,
    now: datetime | None = None,
) -> str:
    """Send the invitation, or reminder ``number``, of one e-mail row if it is still due.
    Returns "sent", "failed" or why it was not sent. A send error is kept on the row and
    audited; unless ``final_attempt`` it is raised again afterwards for the worker to retry."""
    if kind not in (INVITATION, REMINDER):
        raise ValueError(f"kind must be {INVITATION} or {REMINDER}, got {kind!r}")
    failure: Exception | None = None
    with transaction.atomic():
        row = (
            InvitationEmail.objects.select_for_update(of=("self",))
            .select_related("participant__study")
            .filter(pk=email_id)
            .first()
        )
        if row is None:
            return "gone"
        skipped = _still_due(row, kind, number)
        if skipped:
            return skipped
        participant, study = row.participant, row.participant.study
        texts = email_render(
            texts=email_texts(study=study, kind=kind),
            title=study.title,
            link=participant_link(token=participant.token),
            unsubscribe=unsubscribe_link(unsubscribe_token=row.unsubscribe_token),
        )
        unsubscribe = unsubscribe_link(unsubscribe_token=row.unsubscribe_token)
        message = EmailMessage(
            subject=texts.subject,
            body=texts.body,
            from_email=email_sender(study=study),
            to=[row.address],
            headers={"List-Unsubscribe": f"<{unsubscribe}>"},
        )
        detail: dict[str, object] = {"kind": kind}
        if kind == REMINDER:
            detail["reminder"] = number
        try:
            message.send()
        except SEND_ERRORS as error:
            failure = error
            row.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX]
            row.save(update_fields=["last_error"])
            detail |= {"error": type(error).__name__, "final": final_attempt}
            audit_record(action="email.failed", study=study, participant=participant, detail=detail)
        else:
            now = now or timezone.now()
            if kind == INVITATION:
                row.invitation_sent_at = now
            else:
                row.reminders_sent = number
            row.last_sent_at = now
            row.last_error = ""
            row.save(
                update_fields=["invitation_sent_at", "reminders_sent", "last_sent_at", "last_error"]
            )
            audit_record(action="email.sent", study=study, participant=participant, detail=detail)
    if failure is not None:
        log.warning("e-mail %s to participant %s failed: %s", kind, participant.public_id, failure)
        if not final_attempt:
            raise failure
        return "failed"
    return "sent"


def _due_filter(*, studies: list[Study], now: datetime) -> Q:
    due = Q(pk__in=[])
    for study in studies:
        due |= Q(
            participant__study=study,
            reminders_sent__lt=study.reminder_max,
            last_sent_at__lte=now - timedelta(days=study.reminder_interval_days),
        )
    return due


def reminders_claim(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """The reminders due now, claimed in one transaction: (e-mail row id, reminder number).
    Claiming sets the row's last send to ``now``, so another run (concurrent, under
    skip_locked, or later) does not take it again before the next interval."""
    now = now or timezone.now()
    studies = list(Study.objects.filter(reminder_max__gt=0).exclude(status=Study.Status.DRAFT))
    if not studies:
        return []
    with transaction.atomic():
        rows = list(
            InvitationEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_due_filter(studies=studies, now=now))
            .filter(unsubscribed_at__isnull=True, invitation_sent_at__isnull=False)
            .exclude(participant__status__in=NOT_REMINDED)
            # A closed study takes nobody new: remind only those who have started.
            .filter(
                Q(participant__study__status=Study.Status.RECRUITING)
                | Q(participant__status__in=STARTED)
            )
            .order_by("pk")
        )
        InvitationEmail.objects.filter(pk__in=[row.pk for row in rows]).update(last_sent_at=now)
    return [(row.pk, row.reminders_sent + 1) for row in rows]


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Claim the reminders that are due and send (or queue) each; how many were claimed."""
    claimed = reminders_claim(now=now)
    for email_id, number in claimed:
        email_queue(email_id=email_id, kind=REMINDER, number=number, now=now)
    return len(claimed)


@transaction.atomic
def email_unsubscribe(*, row: InvitationEmail, now: datetime | None = None) -> InvitationEmail:
    """No further e-mail to this address for this study (a second time changes nothing)."""
    row = (
        InvitationEmail.objects.select_for_update(of=("self",))
        .select_related("participant__study")
        .get(pk=row.pk)
    )
    if row.unsubscribed_at is None:
        row.unsubscribed_at = now or timezone.now()
        row.save(update_fields=["unsubscribed_at"])
        audit_record(
            action="email.unsubscribe", study=row.participant.study, participant=row.participant
        )
    return row
