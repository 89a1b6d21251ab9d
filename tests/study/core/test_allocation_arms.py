"""The allocation engine between subjects: exact arm counts at block boundaries, weights, no order
bias."""

import dataclasses
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from study.core.allocation import (
    ArmSpec,
    DesignSpec,
    allocation_table,
    arm_block_size,
    slot_arm,
    slot_assignment,
)
from tests.study.core.allocation_designs import (
    DRATSCH_2023,
    FAST,
    GAUBE_2021,
    by_arm,
    designs,
    strata,
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
    for participants in by_arm(table).values():
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
