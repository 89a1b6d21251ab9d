"""The allocation engine proper: seeded permutations, permuted blocks and within-subject cycles
(the construction is described in the package docstring, study/core/allocation/__init__.py).

Rule: a pure function of (design, stratum, slot); no database, clock or global random state."""

from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Iterator
from functools import lru_cache

from .spec import (
    ENGINE_VERSION,
    DesignError,
    DesignSpec,
    SlotAssignment,
    TrialPlan,
    check_int,
    design_validate,
)


def _check_stratum(stratum: object) -> None:
    if not isinstance(stratum, str) or not stratum.strip():
        raise DesignError(f"stratum must be a non-empty string, got {stratum!r}")


# --- deterministic randomness -------------------------------------------------------------------


class _Stream:
    """Uniform integers from sha512 in counter mode over a canonical key.

    Python's ``random`` only promises a stable ``random()``, numpy only a stable bit generator;
    an allocation must re-derive identically years later, so this depends on sha512 alone.
    """

    __slots__ = ("_next_word",)

    def __init__(self, *key: object) -> None:
        canonical = json.dumps([ENGINE_VERSION, *key], separators=(",", ":"), ensure_ascii=True)
        self._next_word = _words(canonical.encode("ascii")).__next__

    def below(self, bound: int) -> int:
        """Uniform integer in [0, bound), exactly: rejection sampling removes modulo bias."""
        limit = _TWO_64 - _TWO_64 % bound
        word = self._next_word()
        while word >= limit:
            word = self._next_word()
        return word % bound

    def shuffled(self, items: list) -> list:
        """Fisher-Yates: every permutation equally likely."""
        items = list(items)
        below = self.below
        for last in range(len(items) - 1, 0, -1):
            other = below(last + 1)
            items[last], items[other] = items[other], items[last]
        return items


_TWO_64 = 1 << 64


def _words(key: bytes) -> Iterator[int]:
    counter = 0
    while True:
        yield from struct.unpack(">8Q", hashlib.sha512(key + b"#%d" % counter).digest())
        counter += 1


@lru_cache(maxsize=256)  # a table walks slots in order: few blocks/cycles are live at once
def _block_order(
    seed: int, stratum: str, block: int, arm_counts: tuple[tuple[str, int], ...]
) -> tuple[str, ...]:
    codes = [code for code, count in arm_counts for _ in range(count)]
    return tuple(_Stream("block", seed, stratum, block).shuffled(codes))


@lru_cache(maxsize=256)  # a table walks slots in order: few blocks/cycles are live at once
def _cycle_layout(
    seed: int, stratum: str, arm: str, cycle: int, pool_size: int, n: int
) -> tuple[tuple[int, ...], int, int]:
    stream = _Stream("cycle", seed, stratum, arm, cycle)
    permutation = tuple(stream.shuffled(list(range(pool_size))))
    return permutation, stream.below(n), stream.below(n)


# --- allocation -------------------------------------------------------------------------------


def _block_size(spec: DesignSpec) -> int:
    return sum(arm.weight for arm in spec.arms) * spec.block_multiplier


def _cycle_length(spec: DesignSpec) -> int:
    m = len(spec.cases)
    common = math.gcd(
        m,
        spec.cases_per_participant,
        spec.inaccurate_per_participant,
        spec.annotated_per_participant,
    )
    return m // common


def arm_block_size(spec: DesignSpec) -> int:
    """Slots per permuted block: sum of arm weights times block_multiplier."""
    design_validate(spec)
    return _block_size(spec)


def within_cycle_length(spec: DesignSpec) -> int:
    """Participants per complete within-subject balance cycle in one stratum x arm.

    ``len(cases) // gcd(len(cases), n, k, a)``: the least run over which every case can be shown,
    be inaccurate and be annotated equally often; the construction achieves it.
    """
    design_validate(spec)
    return _cycle_length(spec)


def _slot_arm(spec: DesignSpec, stratum: str, slot: int) -> tuple[str, int]:
    size = _block_size(spec)
    block, within = divmod(slot, size)
    arm_counts = tuple((arm.code, arm.weight * spec.block_multiplier) for arm in spec.arms)
    order = _block_order(spec.seed, stratum, block, arm_counts)
    arm = order[within]
    per_block = dict(arm_counts)[arm]
    # Earlier full blocks each held exactly per_block slots of this arm.
    return arm, block * per_block + order[:within].count(arm)


def slot_arm(spec: DesignSpec, *, stratum: str, slot: int) -> tuple[str, int]:
    """(arm code, arm_index) of a slot, without planning its trials: O(block size)."""
    design_validate(spec)
    _check_stratum(stratum)
    check_int("slot", slot, minimum=0)
    return _slot_arm(spec, stratum, slot)


def _test_trials(
    spec: DesignSpec, stratum: str, arm: str, arm_index: int
) -> list[tuple[int, bool, bool]]:
    """(pool index, inaccurate, annotated) for each shown test case, in window order."""
    m = len(spec.cases)
    n = spec.cases_per_participant
    k = spec.inaccurate_per_participant
    a = spec.annotated_per_participant
    participants_per_round = m // math.gcd(m, n)
    cycle, i = divmod(arm_index, _cycle_length(spec))
    permutation, rotate_k, rotate_a = _cycle_layout(spec.seed, stratum, arm, cycle, m, n)
    round_ = i // participants_per_round
    start = i * n % m
    inaccurate_from = (round_ * k + rotate_k) % n
    annotated_from = (round_ * a + rotate_a) % n
    return [
        (
            permutation[(start + offset) % m],
            (offset - inaccurate_from) % n < k,
            (offset - annotated_from) % n < a,
        )
        for offset in range(n)
    ]


def _training_trials(spec: DesignSpec) -> tuple[TrialPlan, ...]:
    return tuple(
        TrialPlan(
            position=index + 1,
            case=code,
            is_training=True,
            advice_correct=True,
            annotation_shown=False,
        )
        for index, code in enumerate(spec.training_cases)
    )


def _slot_assignment(
    spec: DesignSpec,
    stratum: str,
    slot: int,
    training: tuple[TrialPlan, ...],
    plans: dict[tuple[int, tuple[int, bool, bool]], TrialPlan],
) -> SlotAssignment:
    arm, arm_index = _slot_arm(spec, stratum, slot)
    shown = _test_trials(spec, stratum, arm, arm_index)
    if spec.order == "fixed":
        shown.sort()
    else:
        shown = _Stream("order", spec.seed, stratum, slot).shuffled(shown)
    cases = spec.cases
    trials = list(training)
    for position, key in enumerate(shown, len(training) + 1):
        # Plans are immutable, so equal ones are shared: building a frozen dataclass per trial
        # was most of the cost of a 10,000-slot table.
        plan = plans.get((position, key))
        if plan is None:
            pool_index, inaccurate, annotated = key
            plan = TrialPlan(position, cases[pool_index], False, not inaccurate, annotated)
            plans[position, key] = plan
        trials.append(plan)
    return SlotAssignment(
        stratum=stratum, slot=slot, arm=arm, arm_index=arm_index, trials=tuple(trials)
    )


def slot_assignment(spec: DesignSpec, *, stratum: str, slot: int) -> SlotAssignment:
    """The allocation of the ``slot``-th (0-based) enrolment in ``stratum``.

    Cost O(len(cases) + block size + training cases); no earlier slot is simulated.
    """
    design_validate(spec)
    _check_stratum(stratum)
    check_int("slot", slot, minimum=0)
    return _slot_assignment(spec, stratum, slot, _training_trials(spec), {})


def allocation_table(spec: DesignSpec, *, stratum: str, n_slots: int) -> list[SlotAssignment]:
    """Slots ``0 .. n_slots-1`` of ``stratum``, in slot order (the auditable allocation table)."""
    design_validate(spec)
    _check_stratum(stratum)
    check_int("n_slots", n_slots, minimum=0)
    training = _training_trials(spec)
    plans: dict[tuple[int, tuple[int, bool, bool]], TrialPlan] = {}
    return [_slot_assignment(spec, stratum, slot, training, plans) for slot in range(n_slots)]
