"""The Celery app: work that does not belong in a request (reports, power runs, case imports,
bundle exports, e-mail) runs as tasks of this app.

With ``CELERY_BROKER_URL`` set (``redis://127.0.0.1:6379/0``, or RabbitMQ's ``amqp://``), any
number of ``celery -A config worker`` processes on any hosts take them, and ``celery -A config
beat`` sends the reminders that are due. Without a broker (the demo, the default tests) every
task runs eagerly, in the process that asked for it, so ``make demo`` stays one command."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("trustlab")
app.config_from_object("django.conf:settings", namespace="CELERY")
# study/tasks.py
app.autodiscover_tasks(["study"])
