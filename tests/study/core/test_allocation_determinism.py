"""The allocation engine is deterministic (across processes and hash seeds), strata are independent,
and the design hash is the sha256 of the canonical design."""

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from study.core.allocation import (
    ArmSpec,
    DesignSpec,
    allocation_table,
    design_canonical_json,
    design_hash,
    slot_assignment,
)
from tests.study.core.allocation_designs import FAST, GAUBE_2021, REPO_ROOT, designs, strata

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
