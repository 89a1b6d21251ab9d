"""No log line carries a participant token (config/logging.py)."""

import io
import logging
import sys

import pytest

from config.logging import RedactTokens, redact

TOKEN = "Zq8-secretToken_0123456789abcdef"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"Not Found: /p/{TOKEN}/", "Not Found: /p/[token]/"),
        (f'"GET /p/{TOKEN}/case/3/ HTTP/1.1" 200', '"GET /p/[token]/case/3/ HTTP/1.1" 200'),
        (f"/s/{TOKEN}?x=1", "/s/[token]?x=1"),
        (
            f"https://trial.example/p/{TOKEN}/image/1/a.png",
            "https://trial.example/p/[token]/image/1/a.png",
        ),
        ("/console/studies/p-study/", "/console/studies/p-study/"),
    ],
)
def test_given_a_line_with_a_token_then_the_token_is_replaced(line, expected):
    assert redact(line) == expected


@pytest.mark.django_db
def test_given_a_404_for_an_invitation_then_the_request_log_has_no_token(client):
    stream = io.StringIO()
    configured = next(h for h in logging.getLogger("django").handlers if h.filters)
    # The configured handler's filters and format on a stream of our own (its own stream is
    # whatever sys.stderr was when logging was configured, which pytest may since have closed).
    handler = logging.StreamHandler(stream)
    handler.filters = list(configured.filters)
    handler.setFormatter(configured.formatter)
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    try:
        response = client.get(f"/p/{TOKEN}/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert "Not Found: /p/[token]/" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


def test_given_a_traceback_with_a_token_then_it_is_redacted():
    try:
        raise ValueError(f"bad path /p/{TOKEN}/consent/")
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            (f"/p/{TOKEN}/consent/",),
            sys.exc_info(),
        )
    RedactTokens().filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert "/p/[token]/consent/" in formatted
