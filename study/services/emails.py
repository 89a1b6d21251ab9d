"""The study's e-mail texts (invitation and reminder), their placeholders and the batch of
addresses the team pastes to invite: each address gets a new link and an InvitationEmail row.

The body says nothing of the participant beyond their link: the placeholders are the link, the
unsubscribe link and the study's title, and nothing else is allowed. Addresses are personal
data: they never reach the audit log (public ids do), exports or other participants."""

import csv
import secrets
import string
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from study.models import InvitationEmail, Participant, Study

from .audit import Actor, audit_record
from .links import LinkRefused, label_check, new_participant

PLACEHOLDERS: Final = ("link", "unsubscribe_link", "title")
SUBJECT_PLACEHOLDERS: Final = ("title",)
# The body must carry these: the participant's way in, and their way out of further e-mail.
BODY_REQUIRED: Final = ("link", "unsubscribe_link")
MAX_ADDRESSES: Final = 1000
ADDRESS_MAX: Final = InvitationEmail._meta.get_field("address").max_length

DEFAULT_INVITATION_SUBJECT: Final = "Invitation to the study {title}"
DEFAULT_INVITATION_BODY: Final = """Hello,

you are invited to take part in the research study "{title}". It takes place in your browser;
your answers are stored under a code, not under your name.

Your personal link (please do not forward it):
{link}

If you do not want further e-mails about this study:
{unsubscribe_link}
"""
DEFAULT_REMINDER_SUBJECT: Final = "Reminder: the study {title}"
DEFAULT_REMINDER_BODY: Final = """Hello,

this is a reminder of the research study "{title}". If you would like to take part or to
finish, your personal link is:
{link}

If you do not want further e-mails about this study:
{unsubscribe_link}
"""


class EmailTemplateInvalid(ValueError):
    """A subject or body the site cannot send: the message names the field and the problem."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def placeholders_check(*, text: str, allowed: tuple[str, ...], field: str) -> set[str]:
    """The placeholders in ``text``, or EmailTemplateInvalid naming the first bad one (unknown
    names, formats, unbalanced braces)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise EmailTemplateInvalid(
            field, f"unbalanced braces ({error}); write {{{{ and }}}} for a literal brace"
        ) from error
    found = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            allowed_text = ", ".join("{" + a + "}" for a in allowed)
            raise EmailTemplateInvalid(
                field, f"unknown placeholder {shown}; the ones allowed here are {allowed_text}"
            )
        found.add(name)
    return found


@dataclass(frozen=True)
class EmailTexts:
    """One kind of message's subject and body as the study sends it (defaults filled in)."""

    subject: str
    body: str


def email_texts(*, study: Study, kind: str) -> EmailTexts:
    """The study's invitation or reminder text, the site's default where the study's is empty."""
    if kind == "invitation":
        return EmailTexts(
            study.invitation_subject or DEFAULT_INVITATION_SUBJECT,
            study.invitation_body or DEFAULT_INVITATION_BODY,
        )
    return EmailTexts(
        study.reminder_subject or DEFAULT_REMINDER_SUBJECT,
        study.reminder_body or DEFAULT_REMINDER_BODY,
    )


def site_url() -> str:
    """The address participants reach the site at, for links in e-mails (SITE_URL)."""
    return settings.SITE_URL.rstrip("/")


def participant_link(*, token: str, base_url: str = "") -> str:
    return f"{(base_url or site_url()).rstrip('/')}{reverse('participant:entry', args=[token])}"


def unsubscribe_link(*, unsubscribe_token: str, base_url: str = "") -> str:
    path = reverse("participant:unsubscribe", args=[unsubscribe_token])
    return f"{(base_url or site_url()).rstrip('/')}{path}"


def email_render(*, texts: EmailTexts, title: str, link: str, unsubscribe: str) -> EmailTexts:
    """The subject and body with their placeholders filled in (the subject on one line)."""
    values = {"link": link, "unsubscribe_link": unsubscribe, "title": title}
    subject = " ".join(texts.subject.format_map(values).split())
    return EmailTexts(subject, texts.body.format_map(values))


def email_sender(*, study: Study) -> str:
    return study.email_from or settings.DEFAULT_FROM_EMAIL


def sender_check(value: str) -> str:
    """An e-mail sender ("Name <address>" or an address), empty for the site's default."""
    value = value.strip()
    if not value:
        return ""
    if any(char in value for char in "\r\n"):
        raise EmailTemplateInvalid("Sender", "a sender is one line")
    _name, address = parseaddr(value)
    try:
        validate_email(address)
    except ValidationError as error:
        raise EmailTemplateInvalid(
            "Sender", f"{value!r} is not an address or 'Name <address>'"
        ) from error
    return value


_TEXT_FIELDS: Final = {
    "invitation_subject": ("Invitation subject", SUBJECT_PLACEHOLDERS),
    "invitation_body": ("Invitation body", PLACEHOLDERS),
    "reminder_subject": ("Reminder subject", SUBJECT_PLACEHOLDERS),
    "reminder_body": ("Reminder body", PLACEHOLDERS),
}
PREVIEW_LINK: Final = "/p/EXAMPLE-LINK/"
PREVIEW_UNSUBSCRIBE: Final = "/u/EXAMPLE-UNSUBSCRIBE/"


def email_texts_check(**texts: str) -> dict[str, str]:
    """The four texts (invitation_subject, invitation_body, reminder_subject, reminder_body)
    checked, subjects stripped; EmailTemplateInvalid names the field and what is wrong."""
    checked = {}
    for name, (field, allowed) in _TEXT_FIELDS.items():
        text = texts.get(name, "")
        if name.endswith("_subject"):
            if "\n" in text or "\r" in text:
                raise EmailTemplateInvalid(field, "a subject is one line")
            text = text.strip()
        found = placeholders_check(text=text, allowed=allowed, field=field)
        if name.endswith("_body") and text.strip():
            missing = [p for p in BODY_REQUIRED if p not in found]
            if missing:
                needed = " and ".join("{" + p + "}" for p in missing)
                raise EmailTemplateInvalid(field, f"the body must contain {needed}")
        checked[name] = text
    return checked


def email_preview(*, study: Study, **texts: str) -> dict[str, EmailTexts]:
    """The invitation and the reminder as a participant would get them from these (unsaved)
    texts, with example links; EmailTemplateInvalid as email_texts_check."""
    checked = email_texts_check(**texts)
    base = site_url()
    shown = {}
    for kind, subject, body, default in (
        (
            "invitation",
            "invitation_subject",
            "invitation_body",
            EmailTexts(DEFAULT_INVITATION_SUBJECT, DEFAULT_INVITATION_BODY),
        ),
        (
            "reminder",
            "reminder_subject",
            "reminder_body",
            EmailTexts(DEFAULT_REMINDER_SUBJECT, DEFAULT_REMINDER_BODY),
        ),
    ):
        chosen = EmailTexts(checked[subject] or default.subject, checked[body] or default.body)
        shown[kind] = email_render(
            texts=chosen,
            title=study.title,
            link=base + PREVIEW_LINK,
            unsubscribe=base + PREVIEW_UNSUBSCRIBE,
        )
    return shown


@transaction.atomic
def email_templates_set(
    *,
    study: Study,
    actor: Actor,
    email_from: str,
    invitation_subject: str,
    invitation_body: str,
    reminder_subject: str,
    reminder_body: str,
    reminder_interval_days: int,
    reminder_max: int,
) -> Study:
    """Store the study's e-mail texts and reminder plan; empty texts mean the site's defaults.
    EmailTemplateInvalid names a bad placeholder, a body without the link or a bad sender."""
    checked = email_texts_check(
        invitation_subject=invitation_subject,
        invitation_body=invitation_body,
        reminder_subject=reminder_subject,
        reminder_body=reminder_body,
    )
    if not 1 <= reminder_interval_days <= 365:
        raise EmailTemplateInvalid("Days between reminders", "between 1 and 365")
    if not 0 <= reminder_max <= 10:
        raise EmailTemplateInvalid("Reminders at most", "between 0 and 10")
    study.email_from = sender_check(email_from)
    for name, text in checked.items():
        setattr(study, name, text)
    study.reminder_interval_days = reminder_interval_days
    study.reminder_max = reminder_max
    study.save(update_fields=["email_from", *checked, "reminder_interval_days", "reminder_max"])
    audit_record(
        action="email.templates",
        study=study,
        actor=actor,
        detail={
            "custom": sorted(name for name in checked if getattr(study, name)),
            "reminder_interval_days": reminder_interval_days,
            "reminder_max": reminder_max,
        },
    )
    return study


@dataclass(frozen=True)
class Recipient:
    address: str
    label: str = ""


def recipients_parse(text: str) -> list[Recipient]:
    """The pasted addresses: one per line, or CSV ``email[,label]`` (a header line ``email...``
    is skipped). Every bad line is named (line number and why) in one LinkRefused."""
    problems, recipients, seen = [], [], set()
    lines = text.splitlines()
    for number, row in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in ("email", "e-mail", "address"):
            continue
        if len(cells) > 2:
            problems.append(f"line {number}: expected email[,label], got {len(cells)} columns")
            continue
        address, label = cells[0], cells[1] if len(cells) > 1 else ""
        try:
            if len(address) > ADDRESS_MAX:
                raise ValidationError("too long")
            validate_email(address)
            label = label_check(label)
        except (ValidationError, LinkRefused) as error:
            reason = str(error) if isinstance(error, LinkRefused) else "not an e-mail address"
            problems.append(f"line {number}: {reason}")
            continue
        if address.lower() in seen:
            problems.append(f"line {number}: {address} appears twice")
            continue
        seen.add(address.lower())
        recipients.append(Recipient(address, label))
    if problems:
        raise LinkRefused("Nobody was invited: " + "; ".join(problems[:20]) + ".")
    if not recipients:
        raise LinkRefused("Nobody was invited: no e-mail address was given.")
    if len(recipients) > MAX_ADDRESSES:
        raise LinkRefused(f"At most {MAX_ADDRESSES} addresses at a time, got {len(recipients)}.")
    return recipients


@transaction.atomic
def invitation_emails_record(
    *, study: Study, recipients: list[Recipient], actor: Actor = None
) -> list[InvitationEmail]:
    """A new link and an InvitationEmail row per recipient (one transaction, one audit event
    with the count; each send is audited on its own, by public id)."""
    if study.status == Study.Status.CLOSED:
        raise LinkRefused("The study is closed: nobody can take part, so nobody was invited.")
    addresses = [r.address.lower() for r in recipients]
    known = set(
        InvitationEmail.objects.filter(participant__study=study).values_list("address", flat=True)
    )
    again = sorted(a for a in addresses if a in {k.lower() for k in known})
    if again:
        raise LinkRefused(
            f"Nobody was invited: already invited to this study: {', '.join(again[:10])}."
        )
    participants = [new_participant(study=study, label=r.label) for r in recipients]
    Participant.objects.bulk_create(participants)
    rows = [
        InvitationEmail(
            participant=participant,
            address=recipient.address,
            unsubscribe_token=secrets.token_urlsafe(24),
        )
        for participant, recipient in zip(participants, recipients, strict=True)
    ]
    InvitationEmail.objects.bulk_create(rows)
    audit_record(action="invitations.email", study=study, actor=actor, detail={"count": len(rows)})
    return list(
        InvitationEmail.objects.filter(participant__in=participants).order_by("participant_id")
    )
