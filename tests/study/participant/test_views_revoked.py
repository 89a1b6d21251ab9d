"""A link the study team revoked: every participant URL of it answers 410 with a page saying
the team withdrew it, and nothing can be recorded through it."""

import pytest
from django.urls import reverse

from study import services
from study.models import Participant
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db

SAYS = "This link was withdrawn by the study team"


@pytest.fixture
def revoked():
    study = gaube_study()
    (link,) = services.links_create(study=study, count=1)
    return services.link_revoke(study=study, public_id=link.public_id)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("entry", []),
        ("consent", []),
        ("status", []),
        ("screening", []),
        ("trial", [1]),
        ("questionnaire", []),
        ("debrief", []),
        ("done", []),
        ("withdraw", []),
        ("withdrawn", []),
    ],
)
def test_every_page_of_a_revoked_link_is_410_saying_who_withdrew_it(client, revoked, name, args):
    response = client.get(reverse(f"participant:{name}", args=[revoked.token, *args]))
    assert response.status_code == 410
    assert SAYS in response.content.decode()


def test_consenting_through_a_revoked_link_records_nothing(client, revoked):
    response = client.post(reverse("participant:consent", args=[revoked.token]), {"agree": "yes"})
    assert response.status_code == 410
    revoked.refresh_from_db()
    assert (revoked.status, revoked.consented_at) == (Participant.Status.REVOKED, None)


def test_the_page_is_in_the_participants_language(client, revoked):
    response = client.get(reverse("participant:entry", args=[revoked.token]))
    assert response.headers["Content-Language"] == "en"
    assert "<h1>This link was withdrawn by the study team</h1>" in response.content.decode()
