"""The Celery tasks with a real broker and a real worker process: a job started in the test
process is queued on Redis, taken by `celery -A config worker` (another process, reading the
same test database and media folder) and run to its end there."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from config.celery import app
from study import services
from study.models import Job
from tests.factories import INTERNIST, UserFactory, answer_all, enrolled_participant, gaube_study

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/15"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker():
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise  # .ci/run starts Redis: CI never skips this
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    return BROKER


@pytest.fixture
def worker(broker, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the worker reads the test database")
    queue = f"trustlab-test-{uuid.uuid4().hex[:8]}"
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "1",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
         "--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    # The test process sends to the same broker and queue, as a web process with
    # CELERY_BROKER_URL would.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = {name: app.conf[name] for name in ("broker_url", "task_default_queue")}
    app.conf.update(broker_url=broker, task_default_queue=queue)
    try:
        yield process
    finally:
        app.conf.update(saved)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        redis.Redis.from_url(broker).delete(queue)


def _finished(job: Job, process, seconds: float = 90) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.25)
    process.terminate()
    raise AssertionError(f"job still {job.status} after {seconds} s:\n{process.stdout.read()}")


def test_given_redis_and_a_worker_process_then_the_worker_runs_the_queued_jobs(worker):
    owner = UserFactory(username="worker-owner")
    study = gaube_study(owner=owner)
    answer_all(enrolled_participant(study))
    answer_all(enrolled_participant(study, INTERNIST), decision="reject")

    report = services.job_start(study=study, kind="report", actor=owner)
    export = services.job_start(study=study, kind="export", actor=owner)
    assert (report.status, export.status) == ("queued", "queued")

    report, export = _finished(report, worker), _finished(export, worker)
    assert (report.status, report.message) == ("done", "Report fitted on 16 trials.")
    assert (export.status, export.message) == ("done", "Export bundle written: 16 trial rows.")
    with report.result_file.open("rb") as stored:
        assert f"{study.title}: analysis report".encode() in stored.read()
    worker.terminate()
    log = worker.communicate(timeout=20)[0]
    # it was the worker process that ran them
    assert log.count("Task study.tasks.job_run[") >= 2, log
    assert "succeeded" in log, log
