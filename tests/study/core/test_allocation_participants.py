"""The allocation engine per participant: exact quotas, training first, positions, and
within-subject balance over complete cycles (Gaube 2021/2023, Dratsch 2023, Prinster 2024)."""

import dataclasses
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from study.core.allocation import (
    ArmSpec,
    DesignSpec,
    SlotAssignment,
    TrialPlan,
    allocation_table,
    slot_assignment,
    within_cycle_length,
)
from tests.study.core.allocation_designs import (
    DRATSCH_2023,
    FAST,
    GAUBE_2023,
    PRINSTER_2024,
    by_arm,
    designs,
    strata,
    table_covering,
)

# --- per participant -----------------------------------------------------------------------------


@FAST
@given(spec=designs(), stratum=strata, slot=st.integers(0, 10_000))
def test_every_participant_gets_exact_quotas_training_first_and_positions_1_to_len(
    spec: DesignSpec, stratum: str, slot: int
) -> None:
    # given a feasible design, when one slot is planned
    assignment = slot_assignment(spec, stratum=stratum, slot=slot)

    # then training comes first, accurate and unannotated, in configured order
    n_training = len(spec.training_cases)
    training, test = assignment.trials[:n_training], assignment.trials[n_training:]
    assert [trial.case for trial in training] == list(spec.training_cases)
    assert all(t.is_training and t.advice_correct and not t.annotation_shown for t in training)
    # and the test trials hold exactly n distinct pool cases, k inaccurate and a annotated
    assert len(test) == spec.cases_per_participant
    assert not any(trial.is_training for trial in test)
    assert len({trial.case for trial in test}) == spec.cases_per_participant
    assert {trial.case for trial in test} <= set(spec.cases)
    assert sum(not trial.advice_correct for trial in test) == spec.inaccurate_per_participant
    assert sum(trial.annotation_shown for trial in test) == spec.annotated_per_participant
    # and positions run 1..len over all trials
    assert [trial.position for trial in assignment.trials] == list(
        range(1, len(assignment.trials) + 1)
    )
    assert assignment.stratum == stratum
    assert assignment.slot == slot
    assert assignment.arm in {arm.code for arm in spec.arms}


@FAST
@given(spec=designs(), slot=st.integers(0, 500))
def test_fixed_order_shows_test_cases_in_pool_order(spec: DesignSpec, slot: int) -> None:
    # given a fixed-order design
    spec = dataclasses.replace(spec, order="fixed")

    # when a slot is planned
    assignment = slot_assignment(spec, stratum="radiology", slot=slot)

    # then its test cases keep the pool's configured order
    test_cases = [trial.case for trial in assignment.trials if not trial.is_training]
    assert test_cases == sorted(test_cases, key=spec.cases.index)


def test_properties_list_cases_in_position_order() -> None:
    # given an assignment built by hand
    assignment = SlotAssignment(
        stratum="radiology",
        slot=0,
        arm="ai",
        arm_index=0,
        trials=(
            TrialPlan(1, "t1", True, True, False),
            TrialPlan(2, "c2", False, False, True),
            TrialPlan(3, "c1", False, True, True),
            TrialPlan(4, "c3", False, False, False),
        ),
    )

    # then the derived views follow position order
    assert assignment.case_order == ("t1", "c2", "c1", "c3")
    assert assignment.inaccurate_cases == ("c2", "c3")
    assert assignment.annotated_cases == ("c2", "c1")


# --- within-subject balance ----------------------------------------------------------------------


@FAST
@given(spec=designs(), stratum=strata)
def test_every_complete_cycle_balances_shown_inaccurate_and_annotated_cases(
    spec: DesignSpec, stratum: str
) -> None:
    # given two complete within-subject cycles of every arm
    cycle = within_cycle_length(spec)
    m = len(spec.cases)
    n = spec.cases_per_participant
    table = table_covering(spec, stratum=stratum, cycles=2)

    for arm, participants in by_arm(table).items():
        # then arm indices within the stratum x arm are 0, 1, 2, ... without gaps
        assert [p.arm_index for p in participants] == list(range(len(participants))), arm
        for start in range(0, len(participants) - cycle + 1, cycle):
            run = participants[start : start + cycle]
            shown = Counter(t.case for p in run for t in p.trials if not t.is_training)
            inaccurate = Counter(case for p in run for case in p.inaccurate_cases)
            annotated = Counter(case for p in run for case in p.annotated_cases)
            # and over each cycle every pool case is shown, inaccurate, annotated equally often
            assert shown == {case: cycle * n // m for case in spec.cases}
            k, a = spec.inaccurate_per_participant, spec.annotated_per_participant
            assert +inaccurate == +Counter({case: cycle * k // m for case in spec.cases})
            assert +annotated == +Counter({case: cycle * a // m for case in spec.cases})


@pytest.mark.parametrize(
    ("pool", "n", "k", "a", "expected"),
    [
        (8, 8, 2, 0, 4),  # Gaube 2021: each case inaccurate once per 4 participants
        (8, 8, 0, 4, 2),  # Gaube 2023: each case annotated once per 2 participants
        (40, 40, 12, 0, 10),  # Dratsch 2023
        (12, 12, 4, 0, 3),  # Prinster-like
        (10, 4, 2, 0, 5),
        (7, 3, 0, 0, 7),
        (6, 6, 0, 0, 1),
        (9, 6, 3, 2, 9),
    ],
)
def test_within_cycle_length_is_pool_over_gcd_of_pool_and_quotas(
    pool: int, n: int, k: int, a: int, expected: int
) -> None:
    # given a design with these sizes
    spec = DesignSpec(
        seed=1,
        arms=(ArmSpec("ai"),),
        cases=tuple(f"c{index}" for index in range(pool)),
        cases_per_participant=n,
        inaccurate_per_participant=k,
        annotated_per_participant=a,
    )

    # then the balance cycle is the least possible one
    assert within_cycle_length(spec) == expected


def test_dratsch_2023_runs_10_training_then_40_tests_with_12_inaccurate_balanced_per_10() -> None:
    # given the Dratsch 2023 design, when 20 slots are planned (10 per arm)
    table = allocation_table(DRATSCH_2023, stratum="experienced", n_slots=20)

    # then each participant reads the 10 training cases first, then 40 tests with 12 inaccurate
    for assignment in table:
        assert assignment.case_order[:10] == DRATSCH_2023.training_cases
        assert sorted(assignment.case_order[10:]) == sorted(DRATSCH_2023.cases)
        assert len(assignment.inaccurate_cases) == 12
        assert set(assignment.inaccurate_cases) <= set(DRATSCH_2023.cases)
    # and within each arm every test case is inaccurate exactly 3 times over 10 participants
    assert within_cycle_length(DRATSCH_2023) == 10
    for participants in by_arm(table).values():
        assert len(participants) == 10
        inaccurate = Counter(case for p in participants for case in p.inaccurate_cases)
        assert inaccurate == {case: 3 for case in DRATSCH_2023.cases}


def test_gaube_2023_annotates_4_of_8_with_all_advice_correct() -> None:
    # given the Gaube 2023 design, when 8 slots are planned
    table = allocation_table(GAUBE_2023, stratum="radiology", n_slots=8)

    # then all advice is accurate, 4 cases are annotated, each case once per arm pair
    for assignment in table:
        assert assignment.inaccurate_cases == ()
        assert len(assignment.annotated_cases) == 4
    for participants in by_arm(table).values():
        for pair in (participants[0:2], participants[2:4]):
            annotated = Counter(case for p in pair for case in p.annotated_cases)
            assert annotated == {case: 1 for case in GAUBE_2023.cases}


def test_prinster_2024_gives_4_inaccurate_of_12_each_case_once_per_3() -> None:
    # given a Prinster-like design (displayed confidence is an advice attribute: nothing to draw)
    table = allocation_table(PRINSTER_2024, stratum="radiology", n_slots=6)

    # then each arm's 3 participants cover every case's inaccurate variant exactly once
    for participants in by_arm(table).values():
        assert [len(p.inaccurate_cases) for p in participants] == [4, 4, 4]
        assert sorted(c for p in participants for c in p.inaccurate_cases) == sorted(
            PRINSTER_2024.cases
        )
