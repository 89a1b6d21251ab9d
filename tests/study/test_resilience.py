"""A GET whose database connection died mid-request is served again on a new connection;
a POST never is (study.resilience)."""

import time

import psycopg2
import pytest
from django.db import DatabaseError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from study import resilience
from study.resilience import RetryLostConnectionMiddleware


def _chain(outcomes, middleware_holder):
    """A stand-in for Django's inner handler: a view raising turns into a 500 after the
    middleware's process_exception saw the exception, as Django's own chain does."""
    calls = []

    def get_response(request):
        outcome = outcomes[len(calls)]
        calls.append(outcome)
        if isinstance(outcome, Exception):
            middleware_holder[0].process_exception(request, outcome)
            return HttpResponse("error", status=500)
        return HttpResponse(outcome)

    return get_response, calls


def _middleware(outcomes):
    holder = []
    get_response, calls = _chain(outcomes, holder)
    holder.append(RetryLostConnectionMiddleware(get_response))
    return holder[0], calls


def test_given_a_get_whose_connection_is_lost_then_it_is_served_on_the_second_try(monkeypatch):
    monkeypatch.setattr(resilience, "_connection_lost", lambda: True)
    middleware, calls = _middleware([OperationalError("server closed the connection"), "page"])

    response = middleware(RequestFactory().get("/p/token/case/1/"))

    assert (response.status_code, response.content) == (200, b"page")
    assert len(calls) == 2


def test_given_it_fails_twice_then_the_second_failure_is_the_answer(monkeypatch):
    monkeypatch.setattr(resilience, "_connection_lost", lambda: True)
    middleware, calls = _middleware([OperationalError("gone"), OperationalError("gone"), "x"])

    response = middleware(RequestFactory().get("/p/token/"))

    assert response.status_code == 500
    assert len(calls) == 2  # once more, never in a loop


@pytest.mark.parametrize(
    "path", ["/console/studies/s/invitations/", "/s/open-token/", "/api/studies/s/withdraw/"]
)
def test_given_another_post_whose_connection_is_lost_then_it_is_never_repeated(monkeypatch, path):
    monkeypatch.setattr(resilience, "_connection_lost", lambda: True)
    middleware, calls = _middleware([OperationalError("gone"), "done twice"])

    response = middleware(RequestFactory().post(path, {"count": "10"}))

    assert response.status_code == 500
    assert len(calls) == 1


def test_given_a_participant_answer_whose_connection_is_lost_then_it_is_posted_once_more(
    monkeypatch,
):
    monkeypatch.setattr(resilience, "_connection_lost", lambda: True)
    middleware, calls = _middleware([OperationalError("gone"), "next case"])

    response = middleware(RequestFactory().post("/p/token/case/1/", {"decision": "reject"}))

    assert (response.status_code, response.content) == (200, b"next case")
    assert len(calls) == 2


def test_given_an_operational_error_on_a_working_connection_then_it_is_not_retried(monkeypatch):
    # e.g. SQLite's "database is locked": the connection is fine, running again would not help
    monkeypatch.setattr(resilience, "_connection_lost", lambda: False)
    middleware, calls = _middleware([OperationalError("database is locked"), "page"])

    assert middleware(RequestFactory().get("/p/token/")).status_code == 500
    assert len(calls) == 1


def _terminate(pid: int) -> None:
    """Terminate a backend from another connection and wait until it has exited."""
    settings = connection.get_connection_params()
    settings.pop("cursor_factory", None)
    with psycopg2.connect(**{**settings, "dbname": connection.settings_dict["NAME"]}) as other:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("select pg_terminate_backend(%s)", [pid])
            for _ in range(50):  # the backend exits just after the call returns
                cursor.execute("select count(*) from pg_stat_activity where pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_given_the_backend_is_terminated_then_the_connection_counts_as_lost(on_postgres):
    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    assert resilience._connection_lost() is False
    _terminate(pid)
    try:
        assert resilience._connection_lost() is True
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_given_a_transaction_on_a_terminated_backend_then_its_error_says_the_connection_is_lost(
    on_postgres,
):
    # Inside a transaction Django closes the dead connection while unwinding, so by the time
    # the middleware hears of the error the connection may be gone or even replaced: the
    # driver's error itself (no SQLSTATE: a dead socket) is what tells.
    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    raised = None
    try:
        with transaction.atomic():
            _terminate(pid)
            with connection.cursor() as cursor:
                cursor.execute("select 1")
    except OperationalError as error:
        raised = error
    assert raised is not None
    assert resilience._says_connection_lost(raised) is True
    connection.close()


@pytest.mark.django_db
def test_given_a_refused_statement_then_its_error_is_not_a_lost_connection(on_postgres):
    raised = None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("select * from no_such_table_here")
    except DatabaseError as error:
        raised = error
    assert raised is not None
    assert resilience._says_connection_lost(raised) is False


def test_given_sqlite_database_is_locked_then_it_is_not_a_lost_connection():
    import sqlite3

    error = OperationalError("database is locked")
    error.__cause__ = sqlite3.OperationalError("database is locked")
    assert resilience._says_connection_lost(error) is False
