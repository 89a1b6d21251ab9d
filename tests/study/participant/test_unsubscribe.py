"""The unsubscribe link of an invitation e-mail: GET asks and changes nothing, POST stops every
further e-mail to the address for the study; an unknown link is a 404."""

import pytest
from django.urls import reverse

from study.models import AuditEvent
from study.services import email_sending, emails
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def row():
    study = gaube_study(title="Chest study")
    (row,) = email_sending.invitation_emails_record(
        study=study, recipients=[emails.Recipient("a@example.org")]
    )
    return row


def test_get_asks_and_changes_nothing(client, row):
    response = client.get(reverse("participant:unsubscribe", args=[row.unsubscribe_token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Unsubscribe from this study's e-mails</h1>" in body
    assert "Chest study" in body
    row.refresh_from_db()
    assert row.unsubscribed_at is None


def test_post_unsubscribes_once(client, row):
    url = reverse("participant:unsubscribe", args=[row.unsubscribe_token])
    for _ in range(2):
        response = client.post(url, {"confirm": "yes"})
        assert response.status_code == 200
        assert "You will get no further e-mails about this study" in response.content.decode()
    row.refresh_from_db()
    assert row.unsubscribed_at is not None
    (event,) = AuditEvent.objects.filter(action="email.unsubscribe")
    assert event.participant_public_id == row.participant.public_id
    assert "a@example.org" not in str(event.detail)


@pytest.mark.parametrize("token", ["nope", "x" * 65])
def test_an_unknown_link_is_404(client, row, token):
    assert client.get(reverse("participant:unsubscribe", args=[token])).status_code == 404


def test_the_page_is_translated(client, row):
    study = row.participant.study
    study.language = "de"
    study.save(update_fields=["language"])
    response = client.get(reverse("participant:unsubscribe", args=[row.unsubscribe_token]))
    assert response.headers["Content-Language"] == "de"
    assert "<h1>Von den E-Mails dieser Studie abmelden</h1>" in response.content.decode()
