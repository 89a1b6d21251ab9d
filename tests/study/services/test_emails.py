"""services.emails: the e-mail texts' placeholders, the defaults, the preview and the pasted
addresses (each a new link and an InvitationEmail row; addresses never audited)."""

import pytest

from study import services
from study.models import AuditEvent, InvitationEmail
from study.services import emails
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db

GOOD = {
    "email_from": "Study team <team@example.org>",
    "invitation_subject": "Join {title}",
    "invitation_body": "Please join: {link}\nStop: {unsubscribe_link}",
    "reminder_subject": "",
    "reminder_body": "",
    "reminder_interval_days": 5,
    "reminder_max": 2,
}


def test_templates_are_stored_and_audited_without_their_text():
    study = gaube_study()
    owner = UserFactory()
    services.email_templates_set(study=study, actor=owner, **GOOD)
    study.refresh_from_db()
    assert study.email_from == "Study team <team@example.org>"
    assert study.invitation_subject == "Join {title}"
    assert study.invitation_body == GOOD["invitation_body"]
    assert (study.reminder_interval_days, study.reminder_max) == (5, 2)
    event = AuditEvent.objects.get(action="email.templates")
    assert event.detail == {
        "custom": ["invitation_body", "invitation_subject"],
        "reminder_interval_days": 5,
        "reminder_max": 2,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"invitation_body": "Hi {name} {link} {unsubscribe_link}"}, "unknown placeholder {name}"),
        ({"invitation_body": "{link} {unsubscribe_link} {link!r}"}, r"placeholder \{link!r\}"),
        ({"invitation_body": "{link:>40} {unsubscribe_link}"}, r"\{link:>40\}"),
        ({"invitation_body": "Open {link"}, "unbalanced braces"),
        ({"invitation_body": "Only {link}"}, r"must contain \{unsubscribe_link\}"),
        ({"reminder_body": "Nothing"}, r"must contain \{link\} and \{unsubscribe_link\}"),
        ({"invitation_subject": "Your {link}"}, r"unknown placeholder \{link\}.*\{title\}"),
        ({"reminder_subject": "two\nlines"}, "a subject is one line"),
        ({"email_from": "not an address"}, "Sender: 'not an address' is not an address"),
        ({"reminder_interval_days": 0}, "Days between reminders: between 1 and 365"),
        ({"reminder_max": 11}, "Reminders at most: between 0 and 10"),
    ],
)
def test_bad_templates_are_refused_naming_the_field(changes, message):
    study = gaube_study()
    with pytest.raises(services.EmailTemplateInvalid, match=message):
        services.email_templates_set(study=study, actor=None, **{**GOOD, **changes})
    study.refresh_from_db()
    assert study.invitation_subject == ""
    assert not AuditEvent.objects.filter(action="email.templates").exists()


def test_empty_texts_are_the_site_defaults():
    study = gaube_study(title="Chest study")
    texts = emails.email_texts(study=study, kind="reminder")
    assert texts == emails.EmailTexts(emails.DEFAULT_REMINDER_SUBJECT, emails.DEFAULT_REMINDER_BODY)
    for body in (emails.DEFAULT_INVITATION_BODY, emails.DEFAULT_REMINDER_BODY):
        assert emails.placeholders_check(text=body, allowed=emails.PLACEHOLDERS, field="x") == {
            "link",
            "unsubscribe_link",
            "title",
        }


def test_literal_braces_survive_rendering():
    rendered = emails.email_render(
        texts=emails.EmailTexts("{title}  now", "Go {link} {{not a field}} {unsubscribe_link}"),
        title="T",
        link="L",
        unsubscribe="U",
    )
    assert rendered == emails.EmailTexts("T now", "Go L {not a field} U")


def test_the_preview_fills_the_unsaved_texts_with_example_links(settings):
    settings.SITE_URL = "https://trials.example.org/"
    study = gaube_study(title="Chest study")
    shown = emails.email_preview(
        study=study,
        invitation_subject="About {title}",
        invitation_body="{link} | {unsubscribe_link}",
        reminder_subject="",
        reminder_body="",
    )
    assert shown["invitation"] == emails.EmailTexts(
        "About Chest study",
        "https://trials.example.org/p/EXAMPLE-LINK/ | https://trials.example.org/u/EXAMPLE-UNSUBSCRIBE/",
    )
    assert shown["reminder"].subject == "Reminder: the study Chest study"
    study.refresh_from_db()
    assert study.invitation_subject == ""


def test_pasted_addresses_one_per_line_or_csv_with_a_header():
    recipients = emails.recipients_parse("email,label\na@example.org\n\n b@example.org , Ward 2\n")
    assert recipients == [
        emails.Recipient("a@example.org", ""),
        emails.Recipient("b@example.org", "Ward 2"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a@example.org\nnot-an-address\n", "line 2: not an e-mail address"),
        ("a@example.org\nA@example.org\n", "line 2: A@example.org appears twice"),
        ("a@example.org,x,y\n", "line 1: expected email\\[,label\\], got 3 columns"),
        ("a@example.org," + "l" * 101, "line 1: A label has at most 100"),
        ("\n \n", "no e-mail address was given"),
    ],
)
def test_bad_address_lists_invite_nobody_and_name_the_line(text, message):
    with pytest.raises(services.LinkRefused, match=message):
        emails.recipients_parse(text)


def test_recording_makes_a_link_and_a_row_per_address_and_audits_no_address():
    study = gaube_study()
    rows = emails.invitation_emails_record(
        study=study,
        recipients=[emails.Recipient("a@example.org"), emails.Recipient("b@example.org", "W")],
    )
    assert [(r.address, r.participant.label) for r in rows] == [
        ("a@example.org", ""),
        ("b@example.org", "W"),
    ]
    assert len({r.unsubscribe_token for r in rows} | {r.participant.token for r in rows}) == 4
    assert AuditEvent.objects.get(action="invitations.email").detail == {"count": 2}
    assert "example.org" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_an_address_already_invited_to_the_study_is_refused():
    study = gaube_study()
    emails.invitation_emails_record(study=study, recipients=[emails.Recipient("a@example.org")])
    already = r"already invited to this study: a@example\.org"
    with pytest.raises(services.LinkRefused, match=already):
        emails.invitation_emails_record(
            study=study,
            recipients=[emails.Recipient("b@example.org"), emails.Recipient("A@Example.org")],
        )
    assert InvitationEmail.objects.count() == 1
