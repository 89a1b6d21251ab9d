"""Allocation engine: which arm, cases, advice and order each participant gets.

Rule: an allocation is a pure function of (design, stratum, slot) -- no Django, no database, no
clock, no global random state -- so the whole allocation table can be printed before a study
starts, hashed for pre-registration and re-derived afterwards to audit it.

Between subjects (arms): stratified permuted blocks. Slot ``k`` of a stratum lies in block
``k // B``, ``B = sum(weights) * block_multiplier``; each block is a permutation of the arm codes,
each repeated ``weight * block_multiplier`` times, seeded by (seed, stratum, block). Arm counts
are exactly proportional to the weights at every block boundary.

Within subjects: take the participant with ``arm_index`` ``j`` in a stratum x arm, a pool of
``m`` test cases, ``n`` read each, ``k`` inaccurate, ``a`` annotated; ``g = gcd(m, n)``,
``L1 = m // g`` and ``L = within_cycle_length = m // gcd(m, n, k, a)``. Arm indices run in
cycles of ``L``; cycle ``c`` has its own pool permutation ``P`` and rotations ``r_k, r_a`` in
``[0, n)``, seeded by (seed, stratum, arm, c). Participant ``i = j mod L``, in round
``p = i // L1`` of the cycle,

- is shown the window ``P[(i*n + t) mod m]``, ``t = 0..n-1``: the windows of ``L1``
  consecutive participants cover the pool exactly ``n // g`` times;
- gets inaccurate advice at the offsets ``t`` with ``(t - p*k - r_k) mod n < k`` and an
  annotation at those with ``(t - p*a - r_a) mod n < a``: exactly ``k`` and ``a``.

Why that balances: in one round the case at pool position ``x`` sits once at every offset
``t == x (mod g)``. An arc of ``k`` offsets in ``Z_n`` holds ``k // g`` of each residue class
mod ``g`` plus one more of the ``k mod g`` classes from ``p*k + r_k`` on; the ``L // L1`` rounds
of a cycle are a multiple of ``g // gcd(g, k)``, over which those extras cover ``Z_g`` evenly.
So over every complete cycle each case is shown, inaccurate and annotated equally often, and
``L`` is the shortest run for which that is possible. Inaccuracy and annotation are balanced
separately; their rotations are independent, so the two are crossed in expectation only.

Order: ``"random"`` shuffles the test trials per (seed, stratum, slot); ``"fixed"`` keeps pool
order. Training cases come first, in configured order, accurate and never annotated. Positions
are 1-based over training and test trials.

Randomness: every permutation is a Fisher-Yates shuffle driven by sha512 in counter mode over a
canonical JSON key, so nothing depends on the Python or numpy version, the platform or
``PYTHONHASHSEED``. A change to this construction must change ``ENGINE_VERSION`` (and with it
every design hash).
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ENGINE_VERSION",
    "ORDERS",
    "ArmSpec",
    "DesignError",
    "DesignSpec",
    "SlotAssignment",
    "TrialPlan",
    "allocation_table",
    "arm_block_size",
    "design_canonical_json",
    "design_hash",
    "design_validate",
    "slot_arm",
    "slot_assignment",
    "within_cycle_length",
]

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


def _check_int(name: str, value: object, *, minimum: int) -> None:
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
    _check_int("seed", spec.seed, minimum=0)
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
        _check_int(f"arm {arm.code!r}: weight", arm.weight, minimum=1)
    _check_int("block_multiplier", spec.block_multiplier, minimum=1)

    _check_codes("cases", spec.cases)
    _check_codes("training_cases", spec.training_cases)
    pool = set(spec.cases)
    for code in spec.training_cases:
        if code in pool:
            raise DesignError(f"training case {code!r} is also in the test-case pool")

    n = spec.cases_per_participant
    _check_int("cases_per_participant", n, minimum=1)
    if n > len(spec.cases):
        raise DesignError(
            f"cases_per_participant ({n}) exceeds the number of test cases "
            f"in the pool ({len(spec.cases)})"
        )
    for name in ("inaccurate_per_participant", "annotated_per_participant"):
        quota = getattr(spec, name)
        _check_int(name, quota, minimum=0)
        if quota > n:
            raise DesignError(f"{name} ({quota}) exceeds cases_per_participant ({n})")
    if spec.order not in ORDERS:
        raise DesignError(f"order ({spec.order!r}) must be 'random' or 'fixed'")


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
    _check_int("slot", slot, minimum=0)
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
    _check_int("slot", slot, minimum=0)
    return _slot_assignment(spec, stratum, slot, _training_trials(spec), {})


def allocation_table(spec: DesignSpec, *, stratum: str, n_slots: int) -> list[SlotAssignment]:
    """Slots ``0 .. n_slots-1`` of ``stratum``, in slot order (the auditable allocation table)."""
    design_validate(spec)
    _check_stratum(stratum)
    _check_int("n_slots", n_slots, minimum=0)
    training = _training_trials(spec)
    plans: dict[tuple[int, tuple[int, bool, bool]], TrialPlan] = {}
    return [_slot_assignment(spec, stratum, slot, training, plans) for slot in range(n_slots)]


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
