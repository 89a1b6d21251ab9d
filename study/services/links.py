"""Invitation links the team manages: created in batches with labels, re-labelled, revoked
while unused. Each write is one transaction and one audit event naming public ids (never a
token)."""

import re
import secrets
from typing import Final

from django.db import transaction
from django.utils import timezone

from study.models import Participant, Study
from study.selectors.links import REVOCABLE

from .audit import Actor, audit_record
from .invitations import MAX_INVITATIONS, new_public_id

LABEL_MAX: Final = Participant._meta.get_field("label").max_length
PUBLIC_ID_MAX: Final = Participant._meta.get_field("public_id").max_length
# A prefix leaves room for "-" and the number (at least three digits: X-001).
PREFIX_MAX: Final = LABEL_MAX - 8
_PREFIX_RE: Final = re.compile(r"^[\w .:/()+-]*$")


class LinkRefused(ValueError):
    """The change cannot be made: the message says why, in words for the team."""


class LinkNotFound(LinkRefused):
    """No such link in this study (another study's counts as none)."""


def label_check(label: str) -> str:
    """The label stripped, or LinkRefused naming what is wrong with it."""
    label = label.strip()
    if len(label) > LABEL_MAX:
        raise LinkRefused(f"A label has at most {LABEL_MAX} characters, this one {len(label)}.")
    if any(ord(char) < 32 for char in label):
        raise LinkRefused("A label cannot contain control characters (tabs, line breaks).")
    return label


def label_prefix_check(prefix: str) -> str:
    prefix = prefix.strip()
    if len(prefix) > PREFIX_MAX:
        raise LinkRefused(f"A label prefix has at most {PREFIX_MAX} characters, got {len(prefix)}.")
    if not _PREFIX_RE.match(prefix):
        raise LinkRefused(
            "A label prefix may contain letters, digits, spaces and . : / ( ) + - _ only."
        )
    return prefix


def _next_number(*, study: Study, prefix: str) -> int:
    """The number after the highest ``prefix-NNN`` label of the study (a second batch with the
    same prefix goes on counting, so labels stay unique)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    labels = Participant.objects.filter(study=study, label__startswith=f"{prefix}-").values_list(
        "label", flat=True
    )
    numbers = [int(match[1]) for label in labels if (match := pattern.match(label))]
    return max(numbers, default=0) + 1


def new_participant(*, study: Study, label: str = "", synthetic: bool = False) -> Participant:
    """An unsaved participant with a fresh link token and public id."""
    return Participant(
        study=study,
        token=secrets.token_urlsafe(24),
        public_id=new_public_id(),
        label=label,
        synthetic=synthetic,
    )


@transaction.atomic
def links_create(
    *, study: Study, count: int, label_prefix: str = "", actor: Actor = None
) -> list[Participant]:
    """``count`` new links, labelled ``prefix-001``, ``prefix-002``... when a prefix is given
    (numbering on after the study's highest label with that prefix)."""
    if not 1 <= count <= MAX_INVITATIONS:
        raise LinkRefused(
            f"The number of links must be between 1 and {MAX_INVITATIONS}, got {count}."
        )
    prefix = label_prefix_check(label_prefix)
    if study.status == Study.Status.CLOSED:
        raise LinkRefused(f"The study '{study.slug}' is closed: a new link could not be used.")
    labels = [""] * count
    if prefix:
        # Lock the study row: two batches with one prefix at once would number alike.
        Study.objects.select_for_update().filter(pk=study.pk).first()
        first = _next_number(study=study, prefix=prefix)
        labels = [f"{prefix}-{number:03d}" for number in range(first, first + count)]
    participants = [new_participant(study=study, label=label) for label in labels]
    Participant.objects.bulk_create(participants)
    detail: dict[str, object] = {"count": count}
    if prefix:
        detail |= {"label_prefix": prefix, "first": labels[0], "last": labels[-1]}
    audit_record(action="invitations.create", study=study, actor=actor, detail=detail)
    return participants


def _link(*, study: Study, public_id: str) -> Participant:
    # A NUL or an over-long id was never issued (and PostgreSQL refuses NUL in text).
    plausible = "\x00" not in public_id and len(public_id) <= PUBLIC_ID_MAX
    participant = (
        Participant.objects.select_for_update().filter(study=study, public_id=public_id).first()
        if plausible
        else None
    )
    if participant is None:
        raise LinkNotFound(f"No link {public_id!r} in this study.")
    return participant


@transaction.atomic
def link_revoke(*, study: Study, public_id: str, actor: Actor = None) -> Participant:
    """Withdraw an unused link: its pages then say the study team withdrew it. A link in use
    (consented, answering, finished) is refused: withdraw that participant instead."""
    participant = _link(study=study, public_id=public_id)
    if participant.status == Participant.Status.REVOKED:
        raise LinkRefused(f"The link {public_id} is already revoked.")
    if participant.status not in REVOCABLE:
        raise LinkRefused(
            f"The link {public_id} has been used ({participant.get_status_display().lower()}): "
            "only unused links can be revoked; withdraw the participant instead."
        )
    participant.status = Participant.Status.REVOKED
    participant.revoked_at = timezone.now()
    participant.save(update_fields=["status", "revoked_at"])
    audit_record(action="link.revoke", study=study, actor=actor, participant=participant)
    return participant


@transaction.atomic
def link_relabel(*, study: Study, public_id: str, label: str, actor: Actor = None) -> Participant:
    """Give the link a new label (the team's own name for it; empty removes it)."""
    label = label_check(label)
    participant = _link(study=study, public_id=public_id)
    old = participant.label
    if old == label:
        return participant
    participant.label = label
    participant.save(update_fields=["label"])
    audit_record(
        action="link.relabel",
        study=study,
        actor=actor,
        participant=participant,
        detail={"from": old, "to": label},
    )
    return participant
