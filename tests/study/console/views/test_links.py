"""The console's links page: create (shown once, or CSV), list with status, label and e-mail
state, filter and paginate, revoke, re-label, e-mail invitations, edit the e-mail texts with a
preview. READ lists, WRITE changes; every bad input is a 4xx naming what is wrong."""

import csv
import io
import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from study import services
from study.models import AuditEvent, InvitationEmail, Participant, StudyMembership
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(owner):
    return gaube_study(owner=owner)


def _url(study, name="links", *args):
    return reverse(f"console:{name}", args=[study.slug, *args])


def _rows(html: str) -> dict[str, list[str]]:
    """The list's rows by public id: each cell's text (tags stripped, spaces collapsed)."""
    table = html.split('id="links"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for public_id, row in re.findall(r'<tr id="link-(\w+)">(.*?)</tr>', table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows[public_id] = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]
    return rows


def _member(study, role):
    user = UserFactory()
    StudyMembership.objects.create(study=study, user=user, role=role)
    return user


def test_the_list_shows_each_links_status_label_and_email_state(owner_client, study):
    unused, revoked = services.links_create(study=study, count=2, label_prefix="Site A")
    services.link_revoke(study=study, public_id=revoked.public_id)
    answering = enrolled_participant(study)
    (emailed,) = services.invitations_email(study=study, text="a@example.org")
    response = owner_client.get(_url(study))
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    assert rows[unused.public_id][:3] == [unused.public_id, "Unused", "Site A-001"]
    assert rows[revoked.public_id][1] == "Revoked"
    assert rows[answering.public_id][1:3] == ["In progress", "–"]
    assert rows[unused.public_id][4] == "none"
    sent_at = InvitationEmail.objects.get(pk=emailed.pk).invitation_sent_at
    assert rows[emailed.participant.public_id][4] == f"sent {sent_at:%Y-%m-%d %H:%M}"
    # a revoke button only for unused links
    assert f"Revoke {unused.public_id}" in rows[unused.public_id][5]
    assert "Revoke" not in rows[answering.public_id][5]
    # never a token nor an address in the list
    body = response.content.decode()
    assert unused.token not in body
    assert "a@example.org" not in body


def test_the_status_filter_and_pages(owner_client, study):
    links = services.links_create(study=study, count=55)
    services.link_revoke(study=study, public_id=links[3].public_id)
    revoked = owner_client.get(_url(study), {"status": "revoked"})
    assert list(_rows(revoked.content.decode())) == [links[3].public_id]
    first = _rows(owner_client.get(_url(study)).content.decode())
    second = owner_client.get(_url(study), {"page": 2})
    assert len(first) == 50
    assert list(_rows(second.content.decode())) == [p.public_id for p in links[50:]]
    assert "Page 2 of 2" in second.content.decode()
    past_the_end = owner_client.get(_url(study), {"page": 9})
    assert past_the_end.status_code == 200
    assert "Page 2 of 2" in past_the_end.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "lost"}, "Status: Select a valid choice. lost is not one of the available"),
        ({"page": "abc"}, "Page: Enter a whole number."),
        ({"page": "0"}, "Page: Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_filters_are_a_400_naming_the_filter(owner_client, study, query, message):
    response = owner_client.get(_url(study), query)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())


def test_creating_links_shows_them_once_with_labels(owner_client, study, settings):
    response = owner_client.post(
        _url(study, "links_create"), {"count": 2, "label_prefix": "Ward", "output": "page"}
    )
    assert response.status_code == 200
    created = list(Participant.objects.filter(study=study).order_by("id"))
    assert [p.label for p in created] == ["Ward-001", "Ward-002"]
    body = response.content.decode()
    for participant in created:
        assert f"http://testserver/p/{participant.token}/" in body
    assert "2 new links created</caption>" in body


def test_creating_links_as_csv(owner_client, study):
    response = owner_client.post(_url(study, "links_create"), {"count": 3, "output": "csv"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    tokens = dict(Participant.objects.filter(study=study).values_list("public_id", "token"))
    assert [r["link"] for r in rows] == [
        f"http://testserver/p/{tokens[r['public_id']]}/" for r in rows
    ]
    assert len(rows) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": "0"}, "Number of links: Ensure this value is greater than or equal to 1."),
        ({"count": "x"}, "Number of links: Enter a whole number."),
        ({"count": "2", "label_prefix": "a;b"}, "A label prefix may contain letters"),
    ],
)
def test_bad_link_batches_are_a_400_naming_the_field(owner_client, study, data, message):
    response = owner_client.post(_url(study, "links_create"), data)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not Participant.objects.filter(study=study).exists()


def test_revoke_and_relabel(owner_client, study):
    (link,) = services.links_create(study=study, count=1)
    response = owner_client.post(_url(study, "link_relabel", link.public_id), {"label": "Ward 9"})
    assert response.status_code == 302
    response = owner_client.post(_url(study, "link_revoke", link.public_id))
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.label, link.status) == ("Ward 9", "revoked")
    actions = AuditEvent.objects.filter(participant_public_id=link.public_id)
    assert sorted(actions.values_list("action", flat=True)) == ["link.relabel", "link.revoke"]


def test_revoking_a_used_link_is_a_409_saying_why(owner_client, study):
    participant = enrolled_participant(study)
    response = owner_client.post(_url(study, "link_revoke", participant.public_id))
    assert response.status_code == 409
    assert "only unused links can be revoked" in unescape(response.content.decode())


@pytest.mark.parametrize(
    ("public_id", "shown"), [("PNOPE", "PNOPE"), ("P\x00X", "P\\x00X"), ("P" * 17, "P" * 17)]
)
def test_an_unknown_link_is_a_404_naming_it(owner_client, study, public_id, shown):
    for name in ("link_relabel", "link_revoke"):
        response = owner_client.post(_url(study, name, public_id), {"label": "x"})
        assert response.status_code == 404
        assert f"No link '{shown}' in this study." in unescape(response.content.decode())


def test_emailing_invitations_sends_each_a_link(owner_client, study):
    response = owner_client.post(
        _url(study, "links_email"), {"addresses": "a@example.org\nb@example.org,Ward 2"}
    )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert InvitationEmail.objects.filter(participant__study=study).count() == 2
    page = owner_client.get(response["Location"]).content.decode()
    assert "2 invitations created; 2 e-mails sent so far" in page


def test_a_bad_address_list_is_a_400_naming_the_line(owner_client, study):
    response = owner_client.post(_url(study, "links_email"), {"addresses": "a@example.org\nnope"})
    assert response.status_code == 400
    assert "line 2: not an e-mail address" in response.content.decode()
    assert mail.outbox == []


TEXTS = {
    "email_from": "",
    "invitation_subject": "Join {title}",
    "invitation_body": "Here: {link} / {unsubscribe_link}",
    "reminder_subject": "",
    "reminder_body": "",
    "reminder_interval_days": "3",
    "reminder_max": "1",
}


def test_the_preview_shows_the_texts_without_saving(owner_client, study, settings):
    settings.SITE_URL = "https://t.example.org"
    response = owner_client.post(_url(study, "email_templates"), {**TEXTS, "action": "preview"})
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert f"Join {study.title}" in body
    assert (
        "Here: https://t.example.org/p/EXAMPLE-LINK/ / https://t.example.org/u/EXAMPLE-UNSUBSCRIBE/"
        in body
    )
    study.refresh_from_db()
    assert study.invitation_subject == ""


def test_saving_the_texts(owner_client, study):
    response = owner_client.post(_url(study, "email_templates"), {**TEXTS, "action": "save"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.invitation_subject, study.reminder_interval_days, study.reminder_max) == (
        "Join {title}",
        3,
        1,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"invitation_body": "Hi {name}"}, "Invitation body: unknown placeholder {name}"),
        ({"reminder_body": "{link}"}, "Reminder body: the body must contain {unsubscribe_link}"),
        ({"reminder_max": "20"}, "Reminders at most (0: none): Ensure this value is less than"),
    ],
)
def test_bad_texts_are_a_400_naming_the_field(owner_client, study, changes, message):
    for action in ("preview", "save"):
        response = owner_client.post(
            _url(study, "email_templates"), {**TEXTS, **changes, "action": action}
        )
        assert response.status_code == 400
        assert message in unescape(response.content.decode())
    study.refresh_from_db()
    assert study.invitation_body == ""


def test_a_viewer_lists_but_changes_nothing(client, study):
    (link,) = services.links_create(study=study, count=1)
    client.force_login(_member(study, StudyMembership.Role.VIEWER))
    page = client.get(_url(study))
    assert page.status_code == 200
    assert link.public_id in _rows(page.content.decode())
    assert "Create links" not in page.content.decode()
    for name, args, data in [
        ("links_create", [], {"count": 1}),
        ("links_email", [], {"addresses": "a@example.org"}),
        ("email_templates", [], {**TEXTS, "action": "save"}),
        ("link_revoke", [link.public_id], {}),
        ("link_relabel", [link.public_id], {"label": "x"}),
    ]:
        assert client.post(_url(study, name, *args), data).status_code == 403
    link.refresh_from_db()
    assert (link.status, link.label) == ("invited", "")
    assert mail.outbox == []


def test_a_stranger_gets_404(client, study):
    client.force_login(UserFactory())
    assert client.get(_url(study)).status_code == 404
    assert client.post(_url(study, "links_create"), {"count": 1}).status_code == 404
