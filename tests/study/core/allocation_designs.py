"""Reference designs, a Hypothesis strategy of designs and table helpers shared by the allocation
tests."""

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from study.core.allocation import (
    ArmSpec,
    DesignSpec,
    SlotAssignment,
    allocation_table,
    arm_block_size,
    within_cycle_length,
)

REPO_ROOT = Path(__file__).resolve().parents[3]

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


def by_arm(table: list[SlotAssignment]) -> dict[str, list[SlotAssignment]]:
    groups: dict[str, list[SlotAssignment]] = {}
    for assignment in table:
        groups.setdefault(assignment.arm, []).append(assignment)
    return {arm: sorted(group, key=lambda a: a.arm_index) for arm, group in groups.items()}


def table_covering(spec: DesignSpec, *, stratum: str, cycles: int) -> list[SlotAssignment]:
    """Enough slots that even the lightest arm completes ``cycles`` within-subject cycles."""
    lightest = min(arm.weight for arm in spec.arms) * spec.block_multiplier
    blocks = -(-cycles * within_cycle_length(spec) // lightest)
    return allocation_table(spec, stratum=stratum, n_slots=blocks * arm_block_size(spec))
