"""The design an allocation is computed from: its data types, validation and hash.

Rule: pure data and checks; a design that passes ``design_validate`` can be allocated for any
stratum and slot. The hash covers the engine version, so a changed random stream changes it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

ENGINE_VERSION = "trustlab.design/1"
ORDERS = ("random", "fixed")
# The allocation export joins case codes with ';' (DATA.md), so a code may not contain it.
CODE_SEPARATOR = ";"


class DesignError(ValueError):
    """An infeasible or malformed design or request; the message says what is wrong and why."""


@dataclass(frozen=True)
class ArmSpec:
    code: str
    weight: int = 1


@dataclass(frozen=True)
class DesignSpec:
    seed: int
    arms: tuple[ArmSpec, ...]
    cases: tuple[str, ...]
    cases_per_participant: int
    inaccurate_per_participant: int = 0
    annotated_per_participant: int = 0
    training_cases: tuple[str, ...] = ()
    order: str = "random"
    block_multiplier: int = 1


@dataclass(frozen=True)
class TrialPlan:
    position: int
    case: str
    is_training: bool
    advice_correct: bool
    annotation_shown: bool


@dataclass(frozen=True)
class SlotAssignment:
    stratum: str
    slot: int
    arm: str
    arm_index: int
    trials: tuple[TrialPlan, ...]

    @property
    def case_order(self) -> tuple[str, ...]:
        """All cases, training included, in position order."""
        return tuple(trial.case for trial in self.trials)

    @property
    def inaccurate_cases(self) -> tuple[str, ...]:
        """Cases shown with inaccurate advice, in position order."""
        return tuple(trial.case for trial in self.trials if not trial.advice_correct)

    @property
    def annotated_cases(self) -> tuple[str, ...]:
        """Cases shown with a visual annotation, in position order."""
        return tuple(trial.case for trial in self.trials if trial.annotation_shown)


# --- validation -------------------------------------------------------------------------------


def check_int(name: str, value: object, *, minimum: int) -> None:
    # bool is an int subclass; True as a quota is a bug in the caller, not a 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise DesignError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        rule = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
        raise DesignError(f"{name} ({value}) {rule}")


def _check_codes(field: str, codes: object) -> None:
    if isinstance(codes, str) or not isinstance(codes, (tuple, list)):
        raise DesignError(f"{field}: expected a tuple of case codes, got {codes!r}")
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if not isinstance(code, str) or not code.strip():
            raise DesignError(
                f"{field}[{index}]: case code must be a non-empty string, got {code!r}"
            )
        if CODE_SEPARATOR in code:
            raise DesignError(
                f"{field}[{index}]: case code {code!r} must not contain "
                f"{CODE_SEPARATOR!r} (the allocation export joins codes with it)"
            )
        if code in seen:
            raise DesignError(f"{field}: duplicate case code {code!r}")
        seen.add(code)


def design_validate(spec: DesignSpec) -> None:
    """Raise DesignError naming the first infeasible or malformed part of ``spec``."""
    if not isinstance(spec, DesignSpec):
        raise DesignError(f"expected a DesignSpec, got {type(spec).__name__}")
    check_int("seed", spec.seed, minimum=0)
    if isinstance(spec.arms, str) or not isinstance(spec.arms, (tuple, list)):
        raise DesignError(f"arms: expected a tuple of ArmSpec, got {spec.arms!r}")
    if not spec.arms:
        raise DesignError("arms: at least one arm is required")
    arm_codes: set[str] = set()
    for index, arm in enumerate(spec.arms):
        if not isinstance(arm, ArmSpec):
            raise DesignError(f"arms[{index}]: expected an ArmSpec, got {type(arm).__name__}")
        if not isinstance(arm.code, str) or not arm.code.strip():
            raise DesignError(
                f"arms[{index}]: arm code must be a non-empty string, got {arm.code!r}"
            )
        if arm.code in arm_codes:
            raise DesignError(f"arms: duplicate arm code {arm.code!r}")
        arm_codes.add(arm.code)
        check_int(f"arm {arm.code!r}: weight", arm.weight, minimum=1)
    check_int("block_multiplier", spec.block_multiplier, minimum=1)

    _check_codes("cases", spec.cases)
    _check_codes("training_cases", spec.training_cases)
    pool = set(spec.cases)
    for code in spec.training_cases:
        if code in pool:
            raise DesignError(f"training case {code!r} is also in the test-case pool")

    n = spec.cases_per_participant
    check_int("cases_per_participant", n, minimum=1)
    if n > len(spec.cases):
        raise DesignError(
            f"cases_per_participant ({n}) exceeds the number of test cases "
            f"in the pool ({len(spec.cases)})"
        )
    for name in ("inaccurate_per_participant", "annotated_per_participant"):
        quota = getattr(spec, name)
        check_int(name, quota, minimum=0)
        if quota > n:
            raise DesignError(f"{name} ({quota}) exceeds cases_per_participant ({n})")
    if spec.order not in ORDERS:
        raise DesignError(f"order ({spec.order!r}) must be 'random' or 'fixed'")


# --- pre-registration ---------------------------------------------------------------------------


def design_canonical_json(spec: DesignSpec) -> str:
    """The canonical JSON text of a design: sorted keys, no spaces, ASCII, engine version."""
    design_validate(spec)
    payload = {
        "engine": ENGINE_VERSION,
        "seed": spec.seed,
        # Arm and case order are part of the design: they enter the block and pool orders.
        "arms": [{"code": arm.code, "weight": arm.weight} for arm in spec.arms],
        "cases": list(spec.cases),
        "training_cases": list(spec.training_cases),
        "cases_per_participant": spec.cases_per_participant,
        "inaccurate_per_participant": spec.inaccurate_per_participant,
        "annotated_per_participant": spec.annotated_per_participant,
        "order": spec.order,
        "block_multiplier": spec.block_multiplier,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def design_hash(spec: DesignSpec) -> str:
    """sha256 hex digest of ``design_canonical_json(spec)``: what a pre-registration cites."""
    return hashlib.sha256(design_canonical_json(spec).encode("ascii")).hexdigest()
