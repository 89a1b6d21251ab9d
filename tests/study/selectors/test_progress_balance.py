"""Within-subject and arm balance against the allocation's promise: as enrolled it matches
exactly; a trial changed after enrolment, or an arm, is flagged with the participant and case;
annotations promised only where the arm draws them; a design that cannot be allocated says why."""

import dataclasses

import pytest

from study import services
from study.models import Advice, Arm, Participant, Trial
from study.selectors.progress_balance import (
    ArmStratumBalance,
    ParticipantCountsRow,
    study_within_balance,
)
from tests.factories import INTERNIST, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _balance(study):
    return study_within_balance(study=study, spec=services.study_design_spec(study=study))


def test_given_participants_as_enrolled_then_everything_is_as_promised():
    study = gaube_study()
    for _ in range(5):
        enrolled_participant(study)
    for _ in range(3):
        enrolled_participant(study, INTERNIST)

    balance = _balance(study)

    assert balance.problem == ""
    assert balance.deviations == 0
    assert balance.participant_counts == [
        ParticipantCountsRow(
            inaccurate=2, annotated=0, inaccurate_promised=2, annotated_promised=0, participants=8
        )
    ]
    assert balance.deviating_participants == []
    assert sum(row.enrolled for row in balance.arm_strata) == 8
    assert all(row.enrolled == row.promised for row in balance.arm_strata)
    # 8 participants x 8 cases, 2 inaccurate each: every case shown to all, 16 inaccurate in all
    assert [case.shown for case in balance.cases] == [8] * 8
    assert sum(case.inaccurate for case in balance.cases) == 16
    assert all(
        (case.inaccurate, case.shown) == (case.inaccurate_promised, case.shown_promised)
        for case in balance.cases
    )


def test_given_a_trial_changed_to_inaccurate_advice_then_the_participant_and_case_deviate():
    study = gaube_study()
    enrolled_participant(study)
    tampered = enrolled_participant(study)
    trial = tampered.trials.filter(advice__variant="accurate").order_by("position").first()
    Trial.objects.filter(pk=trial.pk).update(
        advice=Advice.objects.get(case=trial.case, variant="inaccurate")
    )

    balance = _balance(study)

    assert balance.deviating_participants == [tampered.public_id]
    assert balance.deviating_participant_count == 1
    assert balance.participant_counts == [
        ParticipantCountsRow(2, 0, 2, 0, participants=1),
        ParticipantCountsRow(3, 0, 2, 0, participants=1),
    ]
    (case,) = [case for case in balance.cases if case.deviates]
    assert case.case == trial.case.code
    assert case.inaccurate == case.inaccurate_promised + 1
    assert case.accurate == case.accurate_promised - 1
    assert balance.deviations == 2


def test_given_a_participant_moved_to_another_arm_then_the_stratum_arm_cell_deviates():
    study = gaube_study()
    moved = enrolled_participant(study)
    other = Arm.objects.filter(study=study).exclude(pk=moved.arm_id).get()
    Participant.objects.filter(pk=moved.pk).update(arm=other)

    balance = _balance(study)

    assert balance.arm_strata == [
        ArmStratumBalance("radiology", moved.arm.code, enrolled=0, promised=1),
        ArmStratumBalance("radiology", other.code, enrolled=1, promised=0),
    ]
    assert balance.deviations == 2


def test_given_annotations_then_only_arms_with_local_explanations_are_promised_them():
    study = gaube_study(open_study=False, annotated_per_participant=3)
    Advice.objects.filter(case__study=study).update(
        annotation={"type": "box", "x": 10, "y": 10, "width": 50, "height": 50}
    )
    Arm.objects.filter(study=study, code="human").update(explanation="none")
    study = services.study_open(study=study)
    enrolled = [enrolled_participant(study) for _ in range(4)]

    balance = _balance(study)

    by_arm = {p.arm.code for p in enrolled}
    assert by_arm == {"ai", "human"}
    assert balance.deviations == 0
    assert {(row.annotated, row.annotated_promised) for row in balance.participant_counts} == {
        (3, 3),
        (0, 0),
    }
    assert balance.annotated_promised == 3


def test_given_a_design_that_cannot_be_allocated_then_the_problem_is_told():
    study = gaube_study()
    enrolled_participant(study)
    spec = dataclasses.replace(services.study_design_spec(study=study), cases_per_participant=99)

    balance = study_within_balance(study=study, spec=spec)

    assert balance.problem.startswith("cases_per_participant")
    assert (balance.cases, balance.participant_counts, balance.deviations) == ([], [], 0)
