"""The allocation engine refuses infeasible designs and bad requests, saying what and why."""

import dataclasses

import pytest

from study.core.allocation import (
    ArmSpec,
    DesignError,
    allocation_table,
    arm_block_size,
    design_hash,
    design_validate,
    slot_arm,
    slot_assignment,
    within_cycle_length,
)
from tests.study.core.allocation_designs import GAUBE_2021

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
