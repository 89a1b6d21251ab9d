"""A participant's last activity: stamped each time one of their pages is served, so progress
can tell an abandoned session (no activity for the study's abandon_after_minutes) from a slow
one."""

from django.db import transaction
from django.utils import timezone

from study.models import Participant


@transaction.atomic
def participant_seen(*, participant: Participant) -> None:
    """Set last_seen_at to now: one UPDATE of one column and no read, cheap enough for every
    page; it runs in its own short transaction, before the page's own writes."""
    now = timezone.now()
    Participant.objects.filter(pk=participant.pk).update(last_seen_at=now)
    participant.last_seen_at = now
