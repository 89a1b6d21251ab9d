"""Celery tasks (config/celery.py): thin wrappers, the work is in study.services.

A task is a surface like a page or a command: it calls services, which check permissions with
the account that asked (kept on the job)."""

from celery import shared_task
from django.conf import settings

from study import services

# Attempts after the first before a message is given up (backoff 30 s, 60 s, ... at most 30 min).
EMAIL_MAX_RETRIES = 6


@shared_task(name="study.tasks.job_run", acks_late=True, reject_on_worker_lost=True)
def job_run(job_id: int) -> None:
    """Run one job (study.services.jobs.job_execute); a second delivery finds it finished."""
    services.job_execute(job_id=job_id)


@shared_task(
    name="study.tasks.email_send",
    bind=True,
    acks_late=True,
    rate_limit=settings.EMAIL_RATE_LIMIT,
    autoretry_for=services.SEND_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=EMAIL_MAX_RETRIES,
)
def email_send(self, email_id: int, kind: str, number: int = 0) -> str:
    """Send one invitation or reminder (study.services.email_deliver): an SMTP or network
    error is retried with backoff; the last attempt keeps the error on the row, audited."""
    final = self.request.retries >= EMAIL_MAX_RETRIES
    return services.email_deliver(email_id=email_id, kind=kind, number=number, final_attempt=final)


@shared_task(name="study.tasks.reminders_send_due")
def reminders_send_due() -> int:
    """Celery beat's quarter-hourly run: queue the reminders that are due."""
    return services.reminders_send_due()
