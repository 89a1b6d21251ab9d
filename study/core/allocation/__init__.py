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

from .engine import (
    allocation_table,
    arm_block_size,
    slot_arm,
    slot_assignment,
    within_cycle_length,
)
from .spec import (
    ENGINE_VERSION,
    ORDERS,
    ArmSpec,
    DesignError,
    DesignSpec,
    SlotAssignment,
    TrialPlan,
    design_canonical_json,
    design_hash,
    design_validate,
)

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
