"""Service rules: enrolment, answers, completion, and the integrity the database enforces."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from study import services
from study.core import allocation
from study.models import AuditEvent, Participant, Response, Trial
from tests.factories import (
    INTERNIST,
    RADIOLOGIST,
    StudyFactory,
    answer_all,
    enrolled_participant,
    gaube_study,
)

pytestmark = pytest.mark.django_db


def test_given_a_recruiting_study_when_a_radiologist_enrols_then_slot_zero_applies():
    study = gaube_study()

    participant = enrolled_participant(study, RADIOLOGIST)

    spec = services.study_design_spec(study=study)
    expected = allocation.slot_assignment(spec, stratum="radiology", slot=0)
    assert (participant.stratum, participant.slot, participant.arm.code) == (
        "radiology",
        0,
        expected.arm,
    )
    trials = list(participant.trials.select_related("case", "advice").order_by("position"))
    assert [t.case.code for t in trials] == list(expected.case_order)
    assert [t.case.code for t in trials if t.advice.variant == "inaccurate"] == list(
        expected.inaccurate_cases
    )
    assert len(trials) == 8
    assert {t.source_label for t in trials} == {participant.arm.label}


def test_given_the_first_enrolment_then_the_design_is_locked_with_its_hash():
    study = gaube_study()
    assert study.design_locked_at is None

    enrolled_participant(study)

    study.refresh_from_db()
    assert study.design_locked_at is not None
    assert study.design_hash == services.study_design_hash(study=study)
    assert len(study.design_hash) == 64
    assert AuditEvent.objects.filter(study=study, action="study.design_locked").count() == 1


def test_given_an_enrolled_participant_when_enrol_is_called_again_then_nothing_changes():
    study = gaube_study()
    participant = enrolled_participant(study)

    again = services.participant_enrol(participant=participant, screening=INTERNIST)

    assert (again.slot, again.stratum, again.specialty) == (0, "radiology", "radiology")
    assert Trial.objects.filter(participant=participant).count() == 8


def test_given_two_strata_then_each_has_its_own_slot_sequence():
    study = gaube_study()
    slots = [
        (p.stratum, p.slot)
        for p in (
            enrolled_participant(study, RADIOLOGIST),
            enrolled_participant(study, INTERNIST),
            enrolled_participant(study, RADIOLOGIST),
        )
    ]
    assert slots == [("radiology", 0), ("non_radiology", 0), ("radiology", 1)]


def test_given_a_draft_study_when_someone_consents_then_it_is_refused():
    study = gaube_study(open_study=False)
    (participant,) = services.invitations_create(study=study, count=1)
    with pytest.raises(services.StudyStateError, match="is not recruiting"):
        services.participant_consent(participant=participant, agreed=True)


def test_given_an_infeasible_design_when_opened_then_the_design_error_is_raised():
    study = gaube_study(open_study=False, cases_per_participant=8, inaccurate_per_participant=2)
    study.cases.filter(code="C08").delete()
    with pytest.raises(allocation.DesignError):
        services.study_open(study=study)


def test_given_a_case_that_needs_review_when_opened_then_it_is_refused_by_name():
    study = gaube_study(open_study=False)
    study.cases.filter(code="C03").update(review_status="needs_review")
    with pytest.raises(services.StudyStateError) as raised:
        services.study_open(study=study)
    assert str(raised.value) == ("These cases still need a review for burned-in annotations: C03")


def test_given_annotations_in_the_design_but_not_on_every_case_when_opened_then_refused():
    study = gaube_study(open_study=False, annotated_per_participant=4, inaccurate_per_participant=0)
    with pytest.raises(services.StudyStateError) as raised:
        services.study_open(study=study)
    assert str(raised.value).startswith(
        "The design shows annotations, but these cases have advice without one: C01, C02"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("advice_rating", 8, "advice_rating: must be between 1 and 7, got 8"),
        ("advice_rating", 0, "advice_rating: must be between 1 and 7, got 0"),
        ("confidence", 9, "confidence: must be between 1 and 7, got 9"),
        ("decision", "ignore", "decision: unknown code 'ignore'"),
        ("final_diagnosis", "flu", "final_diagnosis: 'flu' is not one of this study's diagnoses"),
    ],
)
def test_given_a_bad_answer_then_the_error_names_the_field_and_nothing_is_stored(
    field, value, message
):
    study = gaube_study()
    participant = enrolled_participant(study)
    trial = services.trial_show(trial=participant.trials.get(position=1))
    answer = {
        "advice_rating": 5,
        "decision": "accept",
        "final_diagnosis": "normal",
        "confidence": 5,
    }
    answer[field] = value

    with pytest.raises(services.ResponseInvalid) as raised:
        services.response_record(trial=trial, answer=services.Answer(**answer))

    assert str(raised.value) == message
    assert not Response.objects.exists()


def test_given_a_trial_never_shown_when_answered_then_it_is_refused():
    study = gaube_study()
    participant = enrolled_participant(study)
    with pytest.raises(services.ParticipantStateError):
        services.response_record(
            trial=participant.trials.get(position=1),
            answer=services.Answer(5, "accept", "normal", 5),
        )


def test_given_unanswered_trials_when_the_questionnaire_is_sent_then_it_is_refused():
    study = gaube_study()
    participant = enrolled_participant(study)
    with pytest.raises(services.ParticipantStateError, match="still unanswered"):
        services.questionnaire_record(participant=participant, answers={})


def test_given_answered_data_when_the_participant_is_deleted_then_the_database_protects_it():
    study = gaube_study()
    participant = enrolled_participant(study)
    answer_all(participant)
    with pytest.raises(ProtectedError):
        participant.delete()
    with pytest.raises(ProtectedError):
        participant.trials.first().delete()


def test_given_a_response_outside_the_scale_when_written_directly_then_the_database_refuses():
    study = gaube_study()
    participant = enrolled_participant(study)
    trial = participant.trials.get(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            trial=trial,
            advice_rating=8,
            rating_scale_max=7,
            decision="accept",
            final_diagnosis="normal",
            confidence=5,
            confidence_scale_max=7,
            answered_at=timezone.now(),
        )


def test_given_a_second_response_to_a_trial_when_written_directly_then_the_database_refuses():
    study = gaube_study()
    participant = enrolled_participant(study)
    answer_all(participant)
    trial = participant.trials.get(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            trial=trial,
            advice_rating=3,
            rating_scale_max=7,
            decision="reject",
            final_diagnosis="normal",
            confidence=5,
            confidence_scale_max=7,
            answered_at=timezone.now(),
        )


def test_given_a_duplicate_position_when_written_directly_then_the_database_refuses():
    study = gaube_study()
    participant = enrolled_participant(study)
    first = participant.trials.get(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Trial.objects.create(
            participant=participant,
            position=1,
            case=first.case,
            advice=first.advice,
            source_label="CHEST-AI",
        )


def test_given_two_participants_when_both_claim_one_slot_then_the_database_refuses():
    study = gaube_study()
    first = enrolled_participant(study)
    second = enrolled_participant(study)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=second.pk).update(slot=first.slot)


def test_given_a_withdrawal_then_it_is_audited_and_idempotent():
    study = gaube_study()
    participant = enrolled_participant(study)
    services.participant_withdraw(participant=participant, by="participant")
    services.participant_withdraw(participant=participant, by="participant")
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="participant.withdrawn").count() == 1


def test_given_bad_invitation_counts_then_they_are_refused():
    study = StudyFactory()
    for count in (0, 10_001):
        with pytest.raises(ValueError, match=f"count must be between 1 and 10000, got {count}"):
            services.invitations_create(study=study, count=count)


def test_given_two_studies_that_differ_only_in_an_arm_label_then_their_design_hashes_differ():
    first = gaube_study()
    second = gaube_study(seed=first.seed)
    second.arms.filter(code="ai").update(label="RADIO-AI")
    assert (
        services.study_design_spec(study=first).arms
        == services.study_design_spec(study=second).arms
    )
    assert services.study_design_hash(study=first) != services.study_design_hash(study=second)


def test_given_the_same_design_then_the_hash_is_the_same_in_another_study():
    # The title is shown to participants, so it is part of the design; the slug is not.
    first = gaube_study()
    second = gaube_study(seed=first.seed, title=first.title)
    assert first.slug != second.slug
    assert services.study_design_hash(study=first) == services.study_design_hash(study=second)
