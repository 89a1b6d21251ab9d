"""The two reference designs whose first 200 slots per stratum are pinned in this folder."""

from study.core.allocation import ENGINE_VERSION, ArmSpec, DesignSpec, SlotAssignment

N_SLOTS = 200
STRATA = ("radiology", "non_radiology")
COLUMNS = (
    "engine",
    "stratum",
    "slot",
    "arm",
    "arm_index",
    "case_order",
    "inaccurate_cases",
    "annotated_cases",
)
DESIGNS = {
    # Gaube 2021: two label arms, 8 cases, 2 inaccurate each, random order.
    "gaube2021": DesignSpec(
        seed=20210222,
        arms=(ArmSpec("ai"), ArmSpec("human")),
        cases=tuple(f"C{i:02d}" for i in range(1, 9)),
        cases_per_participant=8,
        inaccurate_per_participant=2,
        order="random",
    ),
    # Training first, unequal weights, a pool larger than the read, annotations, fixed order.
    "training_weighted": DesignSpec(
        seed=7,
        arms=(ArmSpec("ai", weight=2), ArmSpec("human", weight=1)),
        cases=tuple(f"T{i:02d}" for i in range(1, 13)),
        training_cases=("P1", "P2"),
        cases_per_participant=8,
        inaccurate_per_participant=3,
        annotated_per_participant=4,
        order="fixed",
        block_multiplier=2,
    ),
}


def row(assignment: SlotAssignment) -> list[str]:
    return [
        ENGINE_VERSION,
        assignment.stratum,
        str(assignment.slot),
        assignment.arm,
        str(assignment.arm_index),
        ";".join(assignment.case_order),
        ";".join(assignment.inaccurate_cases),
        ";".join(assignment.annotated_cases),
    ]
