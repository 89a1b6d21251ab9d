"""The allocation engine: exact quotas, exact balance, determinism and clear refusals."""

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.core.allocation import (
    ArmSpec,
    DesignError,
    DesignSpec,
    SlotAssignment,
    TrialPlan,
    allocation_table,
    arm_block_size,
    design_canonical_json,
    design_hash,
    design_validate,
    slot_arm,
    slot_assignment,
    within_cycle_length,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

GAUBE_2021 = DesignSpec(
    seed=2021,
    arms=(ArmSpec("ai"), ArmSpec("human")),
    cases=tuple(f"cxr{index}" for index in range(1, 9)),
    cases_per_participant=8,
    inaccurate_per_participant=2,
)
GAUBE_2023 = DesignSpec(
    seed=2023,
    arms=(ArmSpec("ai"), ArmSpec("human")),
    cases=tuple(f"cxr{index}" for index in range(1, 9)),
    cases_per_participant=8,
    annotated_per_participant=4,
)
DRATSCH_2023 = DesignSpec(
    seed=2023,
    arms=(ArmSpec("ai"), ArmSpec("human")),
    cases=tuple(f"mammo{index:02d}" for index in range(1, 41)),
    cases_per_participant=40,
    inaccurate_per_participant=12,
    training_cases=tuple(f"train{index:02d}" for index in range(1, 11)),
)
PRINSTER_2024 = DesignSpec(
    seed=2024,
    arms=(ArmSpec("local_boxes"), ArmSpec("global_examples")),
    cases=tuple(f"case{index:02d}" for index in range(1, 13)),
    cases_per_participant=12,
    inaccurate_per_participant=4,
)

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def designs(draw: st.DrawFn) -> DesignSpec:
    pool_size = draw(st.integers(1, 10))
    n = draw(st.integers(1, pool_size))
    n_arms = draw(st.integers(1, 3))
    n_training = draw(st.integers(0, 3))
    return DesignSpec(
        seed=draw(st.integers(0, 2**63)),
        arms=tuple(ArmSpec(f"arm{index}", draw(st.integers(1, 3))) for index in range(n_arms)),
        cases=tuple(f"case{index}" for index in range(pool_size)),
        cases_per_participant=n,
        inaccurate_per_participant=draw(st.integers(0, n)),
        annotated_per_participant=draw(st.integers(0, n)),
        training_cases=tuple(f"train{index}" for index in range(n_training)),
        order=draw(st.sampled_from(["random", "fixed"])),
        block_multiplier=draw(st.integers(1, 2)),
    )


strata = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_ é", min_size=1, max_size=12).filter(
    str.strip
)


def _by_arm(table: list[SlotAssignment]) -> dict[str, list[SlotAssignment]]:
    groups: dict[str, list[SlotAssignment]] = {}
    for assignment in table:
        groups.setdefault(assignment.arm, []).append(assignment)
    return {arm: sorted(group, key=lambda a: a.arm_index) for arm, group in groups.items()}


def _table_covering(spec: DesignSpec, *, stratum: str, cycles: int) -> list[SlotAssignment]:
    """Enough slots that even the lightest arm completes ``cycles`` within-subject cycles."""
    lightest = min(arm.weight for arm in spec.arms) * spec.block_multiplier
    blocks = -(-cycles * within_cycle_length(spec) // lightest)
    return allocation_table(spec, stratum=stratum, n_slots=blocks * arm_block_size(spec))


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
    table = _table_covering(spec, stratum=stratum, cycles=2)

    for arm, participants in _by_arm(table).items():
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
    for participants in _by_arm(table).values():
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
    for participants in _by_arm(table).values():
        for pair in (participants[0:2], participants[2:4]):
            annotated = Counter(case for p in pair for case in p.annotated_cases)
            assert annotated == {case: 1 for case in GAUBE_2023.cases}


def test_prinster_2024_gives_4_inaccurate_of_12_each_case_once_per_3() -> None:
    # given a Prinster-like design (displayed confidence is an advice attribute: nothing to draw)
    table = allocation_table(PRINSTER_2024, stratum="radiology", n_slots=6)

    # then each arm's 3 participants cover every case's inaccurate variant exactly once
    for participants in _by_arm(table).values():
        assert [len(p.inaccurate_cases) for p in participants] == [4, 4, 4]
        assert sorted(c for p in participants for c in p.inaccurate_cases) == sorted(
            PRINSTER_2024.cases
        )


# --- between-subject balance ---------------------------------------------------------------------


@FAST
@given(spec=designs(), stratum=strata, n_blocks=st.integers(1, 12))
def test_arm_counts_are_exact_at_every_block_boundary_and_follow_weights(
    spec: DesignSpec, stratum: str, n_blocks: int
) -> None:
    # given the first n_blocks complete blocks of a stratum
    size = arm_block_size(spec)
    assert size == sum(arm.weight for arm in spec.arms) * spec.block_multiplier
    table = allocation_table(spec, stratum=stratum, n_slots=n_blocks * size)

    # then every block holds each arm exactly weight x block_multiplier times
    for block in range(n_blocks):
        counts = Counter(a.arm for a in table[block * size : (block + 1) * size])
        assert counts == {arm.code: arm.weight * spec.block_multiplier for arm in spec.arms}
    # and arm_index counts the earlier slots of the same arm in the stratum
    seen: Counter[str] = Counter()
    for assignment in table:
        assert assignment.arm_index == seen[assignment.arm]
        seen[assignment.arm] += 1


def test_gaube_2021_table_of_16_slots_has_8_per_arm_and_each_case_inaccurate_once_per_4() -> None:
    # given the Gaube 2021 design, when the first 16 slots are printed as export rows
    table = allocation_table(GAUBE_2021, stratum="radiology", n_slots=16)
    rows = [
        ["radiology", a.slot, a.arm, ";".join(a.case_order), ";".join(a.inaccurate_cases)]
        for a in table
    ]

    # then there are 8 per arm, 8 cases and 2 inaccurate per row
    assert Counter(row[2] for row in rows) == {"ai": 8, "human": 8}
    assert [row[1] for row in rows] == list(range(16))
    assert all(sorted(row[3].split(";")) == sorted(GAUBE_2021.cases) for row in rows)
    assert all(len(row[4].split(";")) == 2 for row in rows)
    # and every block of 2 slots holds one of each arm
    assert all({rows[i][2], rows[i + 1][2]} == {"ai", "human"} for i in range(0, 16, 2))
    # and each case is inaccurate once in arm indices 0-3 and once in 4-7 of each arm
    for participants in _by_arm(table).values():
        for run in (participants[:4], participants[4:]):
            inaccurate = Counter(case for p in run for case in p.inaccurate_cases)
            assert inaccurate == {case: 1 for case in GAUBE_2021.cases}


def test_weights_set_block_composition() -> None:
    # given arm weights 2:1 and block_multiplier 2
    spec = dataclasses.replace(
        GAUBE_2021, arms=(ArmSpec("ai", 2), ArmSpec("human", 1)), block_multiplier=2
    )

    # when 10 blocks are planned
    table = allocation_table(spec, stratum="radiology", n_slots=60)

    # then every block of 6 holds 4 ai and 2 human
    assert arm_block_size(spec) == 6
    for start in range(0, 60, 6):
        assert Counter(a.arm for a in table[start : start + 6]) == {"ai": 4, "human": 2}


def test_block_order_and_trial_order_are_not_biased() -> None:
    # given 2,000 Gaube 2021 slots (1,000 blocks)
    table = allocation_table(GAUBE_2021, stratum="radiology", n_slots=2000)

    # then "ai" comes first in 40-60 % of blocks (expected 50 %, sd 1.6 %)
    ai_first = sum(table[i].arm == "ai" for i in range(0, 2000, 2))
    assert 400 < ai_first < 600
    # and case cxr1 lands on each of the 8 positions 250 +- 60 times (expected 250, sd 15)
    positions = Counter(a.case_order.index("cxr1") for a in table)
    assert all(190 < positions[p] < 310 for p in range(8)), positions
    # and so does the inaccurate advice (each case 500 times in 2,000 participants)
    inaccurate = Counter(case for a in table for case in a.inaccurate_cases)
    assert inaccurate == {case: 500 for case in GAUBE_2021.cases}


def test_slot_arm_matches_the_full_assignment() -> None:
    # given the Gaube 2021 design, when arms are looked up without planning trials
    table = allocation_table(GAUBE_2021, stratum="radiology", n_slots=40)

    # then they agree with the full plans
    assert [slot_arm(GAUBE_2021, stratum="radiology", slot=a.slot) for a in table] == [
        (a.arm, a.arm_index) for a in table
    ]


def test_a_slot_far_in_the_future_is_planned_without_simulating_earlier_slots() -> None:
    # given slot 10**15 (simulating earlier slots would never finish)
    slot = 10**15

    # when it is planned
    assignment = slot_assignment(DRATSCH_2023, stratum="radiology", slot=slot)

    # then its arm_index lies in its own block's share: 10**15 // 2 earlier blocks, 1 per block
    assert assignment.arm_index == slot // 2
    assert len(assignment.inaccurate_cases) == 12


# --- determinism and independence ----------------------------------------------------------------


@FAST
@given(spec=designs(), stratum=strata, slot=st.integers(0, 1000))
def test_the_same_call_gives_the_same_plan_and_matches_the_table(
    spec: DesignSpec, stratum: str, slot: int
) -> None:
    # when a slot is planned twice and as part of a table
    first = slot_assignment(spec, stratum=stratum, slot=slot)
    second = slot_assignment(spec, stratum=stratum, slot=slot)
    table = allocation_table(spec, stratum=stratum, n_slots=slot + 1)

    # then all three agree
    assert first == second == table[slot]


SUBPROCESS_SCRIPT = """
import json
from study.core.allocation import ArmSpec, DesignSpec, allocation_table
spec = DesignSpec(
    seed=99, arms=(ArmSpec("ai", 2), ArmSpec("human")), cases=("a", "b", "c", "d", "e"),
    cases_per_participant=4, inaccurate_per_participant=2, annotated_per_participant=1,
    training_cases=("t1",), block_multiplier=2,
)
rows = [
    [a.slot, a.arm, a.arm_index, [[t.position, t.case, t.is_training, t.advice_correct,
     t.annotation_shown] for t in a.trials]]
    for a in allocation_table(spec, stratum="non_radiology", n_slots=30)
]
print(json.dumps(rows))
"""


def test_a_new_process_with_another_hash_seed_derives_the_same_table() -> None:
    # given the same design in this process
    spec = DesignSpec(
        seed=99,
        arms=(ArmSpec("ai", 2), ArmSpec("human")),
        cases=("a", "b", "c", "d", "e"),
        cases_per_participant=4,
        inaccurate_per_participant=2,
        annotated_per_participant=1,
        training_cases=("t1",),
        block_multiplier=2,
    )
    here = [
        [
            a.slot,
            a.arm,
            a.arm_index,
            [
                [t.position, t.case, t.is_training, t.advice_correct, t.annotation_shown]
                for t in a.trials
            ],
        ]
        for a in allocation_table(spec, stratum="non_radiology", n_slots=30)
    ]

    # when a fresh interpreter with a different PYTHONHASHSEED derives it
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_SCRIPT],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    # then the tables are identical
    assert json.loads(result.stdout) == here


def test_strata_get_independent_sequences() -> None:
    # given two strata of the same design
    radiology = allocation_table(GAUBE_2021, stratum="radiology", n_slots=64)
    other = allocation_table(GAUBE_2021, stratum="non_radiology", n_slots=64)

    # then arm sequences, case orders and inaccurate sets all differ
    assert [a.arm for a in radiology] != [a.arm for a in other]
    assert [a.case_order for a in radiology] != [a.case_order for a in other]
    assert [a.inaccurate_cases for a in radiology] != [a.inaccurate_cases for a in other]
    # and each stratum is still balanced on its own
    assert (
        Counter(a.arm for a in radiology)
        == Counter(a.arm for a in other)
        == {
            "ai": 32,
            "human": 32,
        }
    )


def test_seed_changes_the_allocation() -> None:
    # given two seeds, when 64 slots are planned
    first = allocation_table(GAUBE_2021, stratum="radiology", n_slots=64)
    reseeded = allocation_table(
        dataclasses.replace(GAUBE_2021, seed=2022), stratum="radiology", n_slots=64
    )

    # then the arm sequences differ
    assert [a.arm for a in first] != [a.arm for a in reseeded]


# --- design hash -------------------------------------------------------------------------------


def test_design_hash_is_sha256_of_the_canonical_json() -> None:
    # given a small design
    spec = DesignSpec(
        seed=2021,
        arms=(ArmSpec("ai"), ArmSpec("human")),
        cases=("c1", "c2"),
        cases_per_participant=2,
        inaccurate_per_participant=1,
    )
    expected = (
        '{"annotated_per_participant":0,"arms":[{"code":"ai","weight":1},'
        '{"code":"human","weight":1}],"block_multiplier":1,"cases":["c1","c2"],'
        '"cases_per_participant":2,"engine":"trustlab.design/1",'
        '"inaccurate_per_participant":1,"order":"random","seed":2021,"training_cases":[]}'
    )

    # then the canonical text is exactly this, and the hash is its sha256
    assert design_canonical_json(spec) == expected
    assert design_hash(spec) == hashlib.sha256(expected.encode("ascii")).hexdigest()


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 2022},
        {"arms": (ArmSpec("human"), ArmSpec("ai"))},
        {"arms": (ArmSpec("ai", 2), ArmSpec("human"))},
        {"cases": tuple(reversed(GAUBE_2021.cases))},
        {"cases_per_participant": 7},
        {"inaccurate_per_participant": 3},
        {"annotated_per_participant": 1},
        {"training_cases": ("t1",)},
        {"order": "fixed"},
        {"block_multiplier": 2},
    ],
)
def test_every_design_field_enters_the_hash(change: dict) -> None:
    # given the Gaube 2021 design and a copy with one field changed
    changed = dataclasses.replace(GAUBE_2021, **change)

    # then the hashes differ, while an equal copy hashes the same
    assert design_hash(changed) != design_hash(GAUBE_2021)
    assert design_hash(dataclasses.replace(GAUBE_2021)) == design_hash(GAUBE_2021)


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"inaccurate_per_participant": 9},
            "inaccurate_per_participant (9) exceeds cases_per_participant (8)",
        ),
        (
            {"annotated_per_participant": 9},
            "annotated_per_participant (9) exceeds cases_per_participant (8)",
        ),
        (
            {"inaccurate_per_participant": -1},
            "inaccurate_per_participant (-1) must not be negative",
        ),
        ({"annotated_per_participant": -2}, "annotated_per_participant (-2) must not be negative"),
        (
            {"cases_per_participant": 9},
            "cases_per_participant (9) exceeds the number of test cases in the pool (8)",
        ),
        ({"cases_per_participant": 0}, "cases_per_participant (0) must be at least 1"),
        ({"cases_per_participant": True}, "cases_per_participant must be an integer, got True"),
        ({"cases_per_participant": 8.0}, "cases_per_participant must be an integer, got 8.0"),
        (
            {"cases": (), "cases_per_participant": 1, "inaccurate_per_participant": 0},
            "cases_per_participant (1) exceeds the number of test cases in the pool (0)",
        ),
        ({"arms": ()}, "arms: at least one arm is required"),
        ({"arms": (ArmSpec("ai"), ArmSpec("ai"))}, "arms: duplicate arm code 'ai'"),
        (
            {"arms": (ArmSpec("ai"), ArmSpec(""))},
            "arms[1]: arm code must be a non-empty string, got ''",
        ),
        ({"arms": ("ai",)}, "arms[0]: expected an ArmSpec, got str"),
        ({"arms": "ai"}, "arms: expected a tuple of ArmSpec, got 'ai'"),
        ({"arms": (ArmSpec("ai", 0),)}, "arm 'ai': weight (0) must be at least 1"),
        ({"arms": (ArmSpec("ai", 1.5),)}, "arm 'ai': weight must be an integer, got 1.5"),
        ({"block_multiplier": 0}, "block_multiplier (0) must be at least 1"),
        ({"cases": ("c1", "c2", "c1")}, "cases: duplicate case code 'c1'"),
        ({"cases": ("c1", " ")}, "cases[1]: case code must be a non-empty string, got ' '"),
        ({"cases": ("c1", 2)}, "cases[1]: case code must be a non-empty string, got 2"),
        ({"cases": "c1c2"}, "cases: expected a tuple of case codes, got 'c1c2'"),
        (
            {"cases": ("c1", "c;2")},
            "cases[1]: case code 'c;2' must not contain ';' "
            "(the allocation export joins codes with it)",
        ),
        ({"training_cases": ("t1", "t1")}, "training_cases: duplicate case code 't1'"),
        ({"training_cases": ("t1", "cxr3")}, "training case 'cxr3' is also in the test-case pool"),
        ({"order": "shuffled"}, "order ('shuffled') must be 'random' or 'fixed'"),
        ({"seed": -1}, "seed (-1) must not be negative"),
        ({"seed": "2021"}, "seed must be an integer, got '2021'"),
    ],
)
def test_infeasible_designs_are_refused_with_what_and_why(change: dict, message: str) -> None:
    # given the Gaube 2021 design with one infeasible change
    spec = dataclasses.replace(GAUBE_2021, **change)

    # then validation and every entry point refuse it with the same message
    with pytest.raises(DesignError) as raised:
        design_validate(spec)
    assert str(raised.value) == message
    for call in (
        lambda: slot_assignment(spec, stratum="radiology", slot=0),
        lambda: allocation_table(spec, stratum="radiology", n_slots=1),
        lambda: design_hash(spec),
        lambda: arm_block_size(spec),
        lambda: within_cycle_length(spec),
    ):
        with pytest.raises(DesignError) as raised:
            call()
        assert str(raised.value) == message


def test_design_error_is_a_value_error_and_non_specs_are_refused() -> None:
    # when something that is not a DesignSpec is validated
    with pytest.raises(ValueError) as raised:
        design_validate({"seed": 1})  # type: ignore[arg-type]

    # then the DesignError says what it got
    assert isinstance(raised.value, DesignError)
    assert str(raised.value) == "expected a DesignSpec, got dict"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: slot_assignment(GAUBE_2021, stratum="radiology", slot=-1),
            "slot (-1) must not be negative",
        ),
        (
            lambda: slot_assignment(GAUBE_2021, stratum="", slot=0),
            "stratum must be a non-empty string, got ''",
        ),
        (
            lambda: slot_assignment(GAUBE_2021, stratum="  ", slot=0),
            "stratum must be a non-empty string, got '  '",
        ),
        (
            lambda: slot_assignment(GAUBE_2021, stratum=None, slot=0),
            "stratum must be a non-empty string, got None",
        ),
        (
            lambda: slot_assignment(GAUBE_2021, stratum="radiology", slot=1.0),
            "slot must be an integer, got 1.0",
        ),
        (
            lambda: slot_arm(GAUBE_2021, stratum="radiology", slot=-3),
            "slot (-3) must not be negative",
        ),
        (
            lambda: allocation_table(GAUBE_2021, stratum="radiology", n_slots=-1),
            "n_slots (-1) must not be negative",
        ),
        (
            lambda: allocation_table(GAUBE_2021, stratum="", n_slots=1),
            "stratum must be a non-empty string, got ''",
        ),
    ],
)
def test_bad_requests_are_refused_with_what_and_why(call, message: str) -> None:
    # when a slot request is malformed, then it is refused with a message naming the argument
    with pytest.raises(DesignError) as raised:
        call()
    assert str(raised.value) == message


def test_an_empty_table_is_empty() -> None:
    # when zero slots are requested, then none are planned
    assert allocation_table(GAUBE_2021, stratum="radiology", n_slots=0) == []
