"""Persistent connections survive a lost database backend (CONN_HEALTH_CHECKS, on by default):
a real gunicorn with CONN_MAX_AGE=60 whose PostgreSQL backends are all terminated answers the
next 40 requests (pages and posts) without a 5xx; with the health checks off the same
run gives 500s. study.resilience retries a GET (or a participant's own post) that loses its
connection, never a console post: those posts are what only the health checks protect."""

import re
import sys
import threading
import time
import uuid
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.db import connections

from tests.config.servers import Browser, free_port, manage, served, status_of

pytestmark = pytest.mark.postgres

# Pages that query the database on every request: a participant link (an unknown token, looked
# up and not found) and the console's sign-in page (shown, and posted with wrong passwords).
PARTICIPANT_LINK = "/p/no-such-invitation-token/"
SIGN_IN = "/console/login/"
PAGES = (PARTICIPANT_LINK, SIGN_IN)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _maintenance():
    database = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"],
    )
    connection.autocommit = True
    return connection


def _backends(cursor, name: str) -> int:
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
    return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def scratch_database(django_db_setup, django_db_blocker):
    """A fresh database hf_conn_<random>, migrated: a copy of the test database when this run
    made one (it is empty and migrated), else migrated from scratch (this file run alone)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); CI runs it there")
    template = connection.settings_dict["NAME"]
    made_by_this_run = template == connection.creation._get_test_db_name()
    name = f"hf_conn_{uuid.uuid4().hex[:12]}"
    maintenance = _maintenance()
    with django_db_blocker.unblock():
        connections.close_all()  # a template is copied only while nobody is connected to it
    with maintenance.cursor() as cursor:
        if made_by_this_run:
            # A template is copied only while nobody is connected to it: a connection an
            # earlier test's server thread left open in this process would refuse the copy.
            # The test database is this process's own (one per xdist worker).
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [template],
            )
        cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' * made_by_this_run))
    try:
        if not made_by_this_run:
            manage("migrate", "--noinput", env={"DATABASE_URL": _database_url(name)})
        yield name, maintenance
    finally:
        with maintenance.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        maintenance.close()


def _database_url(name: str, *, health_checks: bool = True) -> str:
    database = settings.DATABASES["default"]
    credentials = quote(database["USER"], safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    # django-environ reads CONN_* options from the URL's query; settings only set defaults.
    return (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/{name}?conn_max_age=60&conn_health_checks={health_checks}"
    )


def _until_workers_hold_connections(base: str, cursor, name: str, workers: int) -> int:
    """Requests, a few at a time, until every worker holds a connection (or 10 s have passed)."""
    deadline = time.monotonic() + 10
    while _backends(cursor, name) < workers and time.monotonic() < deadline:
        burst = [
            threading.Thread(target=status_of, args=(base + page,)) for page in PAGES * workers
        ]
        for request in burst:
            request.start()
        for request in burst:
            request.join()
    return _backends(cursor, name)


def _terminate_every_backend(cursor, name: str) -> None:
    cursor.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    )
    deadline = time.monotonic() + 5
    while _backends(cursor, name) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _backends(cursor, name) == 0


def _statuses_after_losing_the_backends(scratch_database, tmp_path, *, health_checks: bool):
    name, maintenance = scratch_database
    port = free_port()
    # --preload: the application is imported once, before the workers fork (it opens no
    # connection), so the workers answer as soon as the port is open.
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--preload"]
    command = [*gunicorn, "--bind", f"127.0.0.1:{port}"]
    env = {
        "DATABASE_URL": _database_url(name, health_checks=health_checks),
    }
    log = tmp_path / "gunicorn.log"
    with served(command, env=env, port=port, log=log) as base, maintenance.cursor() as cursor:
        visitor = Browser()
        status, page = visitor.request(base + SIGN_IN)
        assert status == 200, page
        post = {"csrfmiddlewaretoken": CSRF.search(page).group(1)}
        held = _until_workers_hold_connections(base, cursor, name, workers=2)
        # Both workers keep their connections (CONN_MAX_AGE): the first request after the
        # termination, a post, meets a dead one whichever worker takes it.
        assert held == 2, log.read_text()
        _terminate_every_backend(cursor, name)
        statuses = []
        for index in range(40):
            if index % 3 == 0:  # a failed sign-in: a post study.resilience never repeats
                attempt = {**post, "username": f"nobody-{index}", "password": "not-it"}
                statuses.append(visitor.request(base + SIGN_IN, attempt)[0])
            else:
                statuses.append(status_of(base + PAGES[index % 3 - 1]))
    return statuses, log


def test_given_every_backend_terminated_then_the_next_40_requests_have_no_5xx(
    scratch_database, tmp_path
):
    statuses, log = _statuses_after_losing_the_backends(
        scratch_database, tmp_path, health_checks=True
    )

    assert [status for status in statuses if status >= 500] == [], log.read_text()
    assert set(statuses) == {404, 200}


def test_given_the_health_checks_off_then_the_same_run_gives_500s(scratch_database, tmp_path):
    # The defect the setting removes: a worker's first console post on its dead connection
    # fails (a GET there would be retried on a new connection by study.resilience; a console
    # post never is).
    statuses, log = _statuses_after_losing_the_backends(
        scratch_database, tmp_path, health_checks=False
    )

    assert statuses[0] == 500
    assert "terminating connection due to administrator command" in log.read_text() or (
        "server closed the connection unexpectedly" in log.read_text()
    )
