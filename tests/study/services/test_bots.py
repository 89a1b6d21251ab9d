"""The bots' own writes: synthetic invitations, and the synthetic flag on a participant an open
link created for a bot; only in a demo or a pilot, audited."""

import pytest

from study import services
from study.models import AuditEvent, Participant
from study.services.bots import bot_invitations_create, bot_participant_mark
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def test_bot_invitations_are_synthetic_and_audited():
    study = gaube_study(pilot_mode=True)

    tokens = bot_invitations_create(study=study, count=3)

    bots = Participant.objects.filter(study=study)
    assert sorted(bots.values_list("token", flat=True)) == sorted(tokens)
    assert set(bots.values_list("synthetic", "status")) == {(True, "invited")}
    event = AuditEvent.objects.get(study=study, action="invitations.create")
    assert event.detail == {"count": 3, "synthetic": True}


def test_no_bot_invitations_in_a_study_with_real_participants_only():
    study = gaube_study()

    with pytest.raises(services.StudyStateError) as refused:
        bot_invitations_create(study=study, count=1)

    assert str(refused.value).startswith(f"Study '{study.slug}' is neither a demo nor in pilot")
    assert not Participant.objects.filter(study=study).exists()


def test_an_open_link_participant_is_marked_once_before_consenting():
    study = gaube_study(pilot_mode=True)
    services.self_enrolment_enable(study=study)
    participant = services.participant_self_enrol(study=study)

    marked = bot_participant_mark(token=participant.token)
    bot_participant_mark(token=participant.token)  # again: nothing more

    assert marked.synthetic
    events = AuditEvent.objects.filter(action="participant.synthetic")
    assert [(e.participant_public_id, e.detail) for e in events] == [
        (participant.public_id, {"by": "bots"})
    ]


def test_a_participant_who_consented_is_never_relabelled():
    study = gaube_study(pilot_mode=True)
    services.self_enrolment_enable(study=study)
    participant = services.participant_self_enrol(study=study)
    services.participant_consent(participant=participant, agreed=True)

    with pytest.raises(services.ParticipantStateError) as refused:
        bot_participant_mark(token=participant.token)

    assert str(refused.value) == (
        f"Participant {participant.public_id} has already consented: only a participant who "
        "has not consented yet can be marked as a bot."
    )
    participant.refresh_from_db()
    assert not participant.synthetic


def test_an_unknown_link_is_refused():
    with pytest.raises(services.ParticipantStateError) as refused:
        bot_participant_mark(token="nobody-has-this-link")  # noqa: S106 - not a secret

    assert str(refused.value) == "No participant has this link."
