"""A request whose database connection was lost mid-request is served again, once.

`CONN_HEALTH_CHECKS` replaces a dead persistent connection before a request starts, but not
one that dies while the request runs (the server restarted, the backend was terminated, a
failover): the fault drill (tests/bench/drill.py) saw those requests end in 500. This
middleware closes the broken connection and runs the request once more on a fresh one when
running it twice cannot do anything twice:

- a GET or HEAD anywhere: pages only read (a case page records only its first showing);
- a POST to a participant's own pages (/p/<token>/...): each is idempotent by design, so even
  one that committed before the connection went is answered like a resubmission (an answered
  case is not answered again, a passed step redirects onward).

Any other POST (the console, an open-link enrolment, which creates a participant) is never
repeated: it may have committed before the connection went, so the client sees the error."""

from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = ("GET", "HEAD")
IDEMPOTENT_POSTS = ("/p/",)  # the participant's own pages: every POST there is idempotent


def _repeatable(request: HttpRequest) -> bool:
    return request.method in SAFE_METHODS or (
        request.method == "POST" and request.path_info.startswith(IDEMPOTENT_POSTS)
    )


# SQLSTATEs of a connection the server ended or refused: connection exceptions (class 08) and
# operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def _says_connection_lost(exception: Exception) -> bool:
    """Whether the driver's error is a lost connection rather than a refused statement: libpq
    gives a dead socket ("server closed the connection unexpectedly") no SQLSTATE at all."""
    cause = exception.__cause__
    if cause is None or not hasattr(cause, "pgcode"):
        return False  # not PostgreSQL's driver (SQLite's "database is locked": a live connection)
    code = cause.pgcode
    return code is None or code.startswith(LOST_SQLSTATES)


def _connection_lost() -> bool:
    """After a database error: True when a connection this thread used is gone, either closed
    by Django already (a transaction whose rollback failed on the dead connection closes it) or
    open but no longer answering. A live connection is not."""
    lost = False
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or not connection.is_usable():
            lost = True
    return lost


class RetryLostConnectionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_trustlab_connection_lost", False):
            request._trustlab_connection_lost = False
            for connection in connections.all(initialized_only=True):
                connection.close()
            response = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if (
            _repeatable(request)
            and not getattr(request, "_trustlab_retried", False)
            and isinstance(exception, OperationalError | InterfaceError)
            and (_says_connection_lost(exception) or _connection_lost())
        ):
            request._trustlab_connection_lost = True
            request._trustlab_retried = True
