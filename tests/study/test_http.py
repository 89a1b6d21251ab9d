"""Downloads are written to an anonymous temporary file that is closed on every path
(study.http.download_response); the site's error pages."""

import tempfile
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver

from study import http, services
from tests.factories import gaube_study


@dataclass(frozen=True)
class Written:
    filename: str = "trials.csv"
    content_type: str = "text/csv"


@pytest.fixture
def opened(monkeypatch):
    handles = []
    original = tempfile.TemporaryFile

    def tracked(*args, **kwargs):
        handle = original(*args, **kwargs)
        handles.append(handle)
        return handle

    monkeypatch.setattr(http.tempfile, "TemporaryFile", tracked)
    return handles


def test_given_a_failing_export_then_its_temporary_file_is_closed_at_once(opened):
    def write(handle):
        handle.write(b"participant,arm\n")
        raise RuntimeError("the export failed half-way")

    with pytest.raises(RuntimeError):
        http.download_response(write)

    (handle,) = opened
    assert handle.closed


@pytest.mark.django_db  # closing a response sends request_finished, which closes connections
def test_given_an_export_then_the_response_streams_it_and_closes_the_file_after(opened):
    def write(handle):
        handle.write(b"participant,arm\nP1,ai\n")
        return Written()

    response = http.download_response(write)

    assert b"".join(response.streaming_content) == b"participant,arm\nP1,ai\n"
    assert response["Content-Disposition"] == 'attachment; filename="trials.csv"'
    response.close()
    assert opened[0].closed


# The site's error pages (config.urls handler400..500, CSRF_FAILURE_VIEW): the site's layout
# with its landmarks, in the reader's language, never Django's English defaults.


def _page(response) -> str:
    body = response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert body.count("<h1>") == 1
    assert '<main id="main"' in body
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Page not found"), ("de", "Seite nicht gefunden")]
)
def test_given_an_unknown_token_then_the_404_page_is_in_the_browsers_language(
    client, language, heading
):
    response = client.get("/p/no-such-token/", HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")
    assert response.status_code == 404
    body = _page(response)
    assert f'<html lang="{language}">' in body
    assert f"<h1>{heading}</h1>" in body


@pytest.mark.django_db
def test_given_a_language_the_site_does_not_have_then_the_404_page_is_english(client):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in _page(response)


@pytest.mark.django_db
def test_given_a_form_posted_without_its_csrf_cookie_then_the_403_page_says_reload():
    study = gaube_study()
    (participant,) = services.invitations_create(study=study, count=1)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        f"/p/{participant.token}/consent/", {"agree": "yes"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 403
    body = _page(response)
    assert "<h1>Ihre Antwort wurde nicht gesendet</h1>" in body
    assert "CSRF" not in body  # Django's own page explains CSRF to developers
    participant.refresh_from_db()
    assert participant.consented_at is None


@pytest.mark.django_db
def test_given_a_host_the_site_does_not_serve_then_the_400_page_is_the_sites(client):
    response = client.get("/console/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "<h1>The request could not be read</h1>" in _page(response)


@pytest.mark.parametrize(
    ("status", "heading"),
    [
        (400, "The request could not be read"),
        (403, "You cannot open this page"),
        (404, "Page not found"),
        (500, "Something went wrong"),
    ],
)
def test_given_each_error_then_the_site_handler_renders_its_page(rf, status, heading):
    handler = get_resolver().resolve_error_handler(status)
    request = rf.get("/anything/", HTTP_ACCEPT_LANGUAGE="en")
    response = handler(request) if status == 500 else handler(request, Exception("x"))
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in _page(response)


def broken_context_processor(request):
    raise RuntimeError("a context processor that needs the database")


def test_given_a_500_then_its_page_renders_without_the_request_context(rf, settings):
    # Whatever broke the request (the database, a context processor) must not break its error
    # page too: the 500 page runs no context processor. A control: the 404 page runs them.
    templates = [dict(engine, OPTIONS=dict(engine["OPTIONS"])) for engine in settings.TEMPLATES]
    templates[0]["OPTIONS"]["context_processors"] = [
        *templates[0]["OPTIONS"]["context_processors"],
        f"{__name__}.broken_context_processor",
    ]
    settings.TEMPLATES = templates
    resolver = get_resolver()
    response = resolver.resolve_error_handler(500)(rf.get("/"))
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in _page(response)
    with pytest.raises(RuntimeError):
        resolver.resolve_error_handler(404)(rf.get("/"), Exception("x"))
