"""The allocation engine's output is pinned: the first 200 slots per stratum of two reference
designs, committed as CSV. A change to the random stream must come with a new ENGINE_VERSION and
regenerated files (tests/study/core/golden/make_golden.py); an accidental one fails here."""

import csv
from pathlib import Path

import pytest

from study.core.allocation import ENGINE_VERSION, allocation_table
from tests.study.core.golden.designs import COLUMNS, DESIGNS, N_SLOTS, STRATA, row

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_the_allocation_table_equals_the_committed_golden_table(name):
    with (GOLDEN / f"{name}.csv").open(newline="") as handle:
        committed = list(csv.reader(handle))
    assert tuple(committed[0]) == COLUMNS
    assert len(committed) == 1 + N_SLOTS * len(STRATA)
    assert {line[0] for line in committed[1:]} == {ENGINE_VERSION}, (
        "the golden table was made by another engine version"
    )
    computed = [
        row(assignment)
        for stratum in STRATA
        for assignment in allocation_table(DESIGNS[name], stratum=stratum, n_slots=N_SLOTS)
    ]
    for expected, got in zip(committed[1:], computed, strict=True):
        assert got == expected, (
            f"{name}, stratum {expected[1]}, slot {expected[2]}: the engine's output changed. "
            "A change to the random stream needs a new ENGINE_VERSION and regenerated golden "
            "tables (tests/study/core/golden/make_golden.py)."
        )
