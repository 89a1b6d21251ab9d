"""selectors.links: one link status per participant status, the filter by link status, and the
e-mail state in words."""

from datetime import UTC, datetime

import pytest

from study.models import InvitationEmail, Participant
from study.selectors import links
from tests.factories import gaube_study

S = Participant.Status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.INVITED, "unused"),
        (S.CONSENTED, "consented"),
        (S.IN_PROGRESS, "in_progress"),
        (S.COMPLETED, "completed"),
        (S.WITHDRAWN, "withdrawn"),
        (S.REVOKED, "revoked"),
        (S.DECLINED, "declined"),
        (S.INELIGIBLE, "screened_out"),
        (S.STRATUM_FULL, "screened_out"),
        (S.REISSUED, "timed_out"),
    ],
)
def test_every_participant_status_has_its_link_status(status, expected):
    assert links.link_status(participant=Participant(status=status)) == expected


def test_every_participant_status_is_covered():
    assert {links.link_status(participant=Participant(status=s)) for s in S.values} == set(
        links.LINK_STATUS_WORDS
    )


@pytest.mark.django_db
def test_the_filter_keeps_the_links_in_that_status():
    study = gaube_study()
    for status in (S.INVITED, S.INELIGIBLE, S.STRATUM_FULL, S.REVOKED):
        Participant.objects.create(
            study=study, token=status, public_id=f"P{status[:10]}", status=status
        )
    shown = links.study_links(study=study, status="screened_out")
    assert sorted(p.status for p in shown) == ["ineligible", "stratum_full"]
    assert links.study_links(study=study).count() == 4


WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TOKEN = "test-token"


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (links.EmailState(invited=False), "none"),
        (links.EmailState(invited=True), "queued"),
        (links.EmailState(invited=True, last_error="SMTPError: no"), "not sent: SMTPError: no"),
        (links.EmailState(invited=True, sent_at=WHEN), "sent 2026-03-02 09:30"),
        (
            links.EmailState(invited=True, sent_at=WHEN, reminders=1),
            "sent 2026-03-02 09:30, 1 reminder",
        ),
        (
            links.EmailState(invited=True, sent_at=WHEN, reminders=2),
            "sent 2026-03-02 09:30, 2 reminders",
        ),
        (
            links.EmailState(invited=True, sent_at=WHEN, unsubscribed_at=WHEN),
            "unsubscribed 2026-03-02 09:30",
        ),
    ],
)
def test_the_email_state_in_words(state, words):
    assert state.words == words


@pytest.mark.django_db
def test_the_email_state_reads_the_row():
    study = gaube_study()
    participant = Participant.objects.create(study=study, token=TOKEN, public_id="P1")
    assert links.email_state(participant=participant) == links.EmailState(invited=False)
    InvitationEmail.objects.create(
        participant=participant,
        address="a@example.org",
        unsubscribe_token=TOKEN,
        invitation_sent_at=WHEN,
        reminders_sent=1,
    )
    participant = links.study_links(study=study).get()
    assert links.email_state(participant=participant) == links.EmailState(
        invited=True, sent_at=WHEN, reminders=1
    )
