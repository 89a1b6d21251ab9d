"""participant_withdraw: what it records, what it refuses, and participant_seen's one UPDATE."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from study import services
from study.models import AuditEvent, Participant
from study.services.activity import participant_seen
from study.services.withdrawals import (
    WITHDRAWAL_REASON_REQUIRED,
    WithdrawalInvalid,
    WithdrawalRefused,
)
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_given_a_researcher_without_a_reason_then_the_withdrawal_is_refused(reason):
    participant = enrolled_participant(gaube_study())

    with pytest.raises(WithdrawalInvalid) as refusal:
        services.participant_withdraw(participant=participant, by="researcher", reason=reason)

    assert str(refusal.value) == WITHDRAWAL_REASON_REQUIRED
    assert WITHDRAWAL_REASON_REQUIRED == (
        "Give the reason for this withdrawal: it is kept with the participant's record."
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS
    assert not AuditEvent.objects.filter(action="participant.withdrawn").exists()


def test_given_a_researcher_with_a_reason_then_step_time_who_and_why_are_kept():
    researcher = UserFactory(username="pi")
    participant = enrolled_participant(gaube_study())

    services.participant_withdraw(
        participant=participant,
        actor=researcher,
        by="researcher",
        reason="  Asked by e-mail on 3 May.  ",
    )

    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert participant.withdrawn_at is not None
    assert (participant.withdrawn_step, participant.withdrawn_by) == ("trial", "researcher")
    assert participant.withdrawal_reason == "Asked by e-mail on 3 May."
    event = AuditEvent.objects.get(action="participant.withdrawn")
    assert (event.actor, event.participant_public_id) == (researcher, participant.public_id)
    assert event.detail == {"step": "trial", "by": "researcher"}  # never the free-text reason


def test_given_an_unknown_requester_or_an_overlong_reason_then_the_message_says_which():
    participant = enrolled_participant(gaube_study())

    with pytest.raises(WithdrawalInvalid, match=r"^by: must be 'participant' or 'researcher', "):
        services.participant_withdraw(participant=participant, by="sponsor")  # type: ignore[arg-type]
    with pytest.raises(
        WithdrawalInvalid, match=r"^The reason is 2001 characters long; at most 2000\.$"
    ):
        services.participant_withdraw(participant=participant, by="researcher", reason="x" * 2001)


def test_given_a_participant_who_declined_then_there_is_nothing_to_withdraw():
    (participant,) = services.invitations_create(study=gaube_study(), count=1)
    participant = services.participant_consent(participant=participant, agreed=False)

    with pytest.raises(WithdrawalRefused) as refusal:
        services.participant_withdraw(participant=participant, by="researcher", reason="asked")

    assert str(refusal.value) == (
        f"Participant {participant.public_id} declined to take part: there is nothing to withdraw."
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.DECLINED


def test_given_an_invited_participant_at_the_consent_page_then_the_step_is_consent():
    (participant,) = services.invitations_create(study=gaube_study(), count=1)

    services.participant_withdraw(participant=participant, by="participant")

    participant.refresh_from_db()
    assert (participant.status, participant.withdrawn_step) == ("withdrawn", "consent")


def test_given_a_researcher_withdraws_a_withdrawn_participant_then_the_first_record_stays():
    participant = enrolled_participant(gaube_study())
    services.participant_withdraw(participant=participant, by="participant")

    services.participant_withdraw(participant=participant, by="researcher", reason="duplicate")

    participant.refresh_from_db()
    assert (participant.withdrawn_by, participant.withdrawal_reason) == ("participant", "")
    assert AuditEvent.objects.filter(action="participant.withdrawn").count() == 1


def test_given_a_page_view_then_participant_seen_is_one_update_and_nothing_else():
    participant = enrolled_participant(gaube_study())

    with CaptureQueriesContext(connection) as queries:
        participant_seen(participant=participant)

    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) == 1
    assert statements[0].startswith('UPDATE "study_participant" SET "last_seen_at" = ')
    stamped = participant.last_seen_at
    participant.refresh_from_db()
    assert participant.last_seen_at == stamped is not None
