"""study.http.permission_denied: on the console the 403 page says why (the refusal's words);
elsewhere it stays the generic page."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from study.http import permission_denied

GENERIC = "This page is not open to you."


@pytest.mark.parametrize(
    ("path", "shown", "hidden"),
    [
        ("/console/studies/s/design/", "Only owners may do this.", GENERIC),
        ("/p/token/consent/", GENERIC, "Only owners may do this."),
    ],
)
def test_the_403_page_gives_the_reason_only_on_the_console(path, shown, hidden):
    response = permission_denied(
        RequestFactory().get(path), PermissionDenied("Only owners may do this.")
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert shown in page
    assert hidden not in page


def test_a_console_refusal_without_words_gets_the_generic_text():
    response = permission_denied(RequestFactory().get("/console/"), PermissionDenied())
    assert GENERIC in response.content.decode()
