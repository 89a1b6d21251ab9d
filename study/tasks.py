"""Celery tasks (config/celery.py): thin wrappers, the work is in study.services.

A task is a surface like a page or a command: it calls services, which check permissions with
the account that asked (kept on the job)."""

from celery import shared_task

from study import services


@shared_task(name="study.tasks.job_run", acks_late=True, reject_on_worker_lost=True)
def job_run(job_id: int) -> None:
    """Run one job (study.services.jobs.job_execute); a second delivery finds it finished."""
    services.job_execute(job_id=job_id)
