"""The trials table's codebook (DATA.md): every column's name, type, nullability, codes, meaning,
and how a cell of each type is written.

Rule: the one definition of the contract's columns; the loader, the export's header and the
codebook file all read it from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "CODEBOOK",
    "CODEBOOK_V2",
    "CODEBOOK_VERSION",
    "EMPTY_SINCE_V2",
    "PARSERS",
    "SPECS",
    "TRIALS_COLUMNS",
    "TRIALS_COLUMNS_V2",
    "ColumnSpec",
    "codebook_frame",
    "is_missing",
]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the trials table: its DATA.md type, whether it may be empty, and its codes."""

    name: str
    type: str  # str | int | float | bool | datetime
    nullable: bool
    meaning: str
    codes: tuple[str, ...] = ()


CODEBOOK: tuple[ColumnSpec, ...] = (
    ColumnSpec("study", "str", False, "study slug"),
    ColumnSpec("participant", "str", False, "pseudonymous participant id (never the token)"),
    ColumnSpec("stratum", "str", False, "expertise group used for allocation"),
    ColumnSpec("specialty", "str", False, "e.g. radiology, internal_medicine"),
    ColumnSpec("training_level", "str", False, "e.g. attending, fellow, resident"),
    ColumnSpec("years_experience", "int", False, "years since completing medical school"),
    ColumnSpec("arm", "str", False, "between-subject arm code"),
    ColumnSpec(
        "advice_source",
        "str",
        False,
        "label shown: ai or human; none in a no-advice control arm",
        ("ai", "human", "none"),
    ),
    ColumnSpec("case", "str", False, "case code"),
    ColumnSpec("position", "int", False, "1-based order in which the participant saw the case"),
    ColumnSpec("is_training", "bool", False, "training case (excluded from default analyses)"),
    ColumnSpec(
        "advice_correct",
        "bool",
        True,
        "the advice shown was the accurate variant; empty in a no-advice control arm",
    ),
    ColumnSpec("annotation_shown", "bool", False, "a visual annotation accompanied the advice"),
    ColumnSpec("displayed_confidence", "float", True, "AI confidence shown with the advice"),
    ColumnSpec(
        "advised_diagnosis",
        "str",
        True,
        "diagnosis code the advice proposed; empty in a no-advice control arm",
    ),
    ColumnSpec("reference_diagnosis", "str", False, "reference (ground truth) diagnosis code"),
    ColumnSpec("unaided_diagnosis", "str", True, "read-then-reveal: diagnosis before advice"),
    ColumnSpec("unaided_confidence", "int", True, "read-then-reveal: confidence before advice"),
    ColumnSpec(
        "advice_rating",
        "int",
        True,
        "advice quality rating (default scale 1-7); empty when the study did not ask for it "
        "and in a no-advice control arm",
    ),
    ColumnSpec(
        "decision",
        "str",
        True,
        "decision on the advice; empty when not asked (agree/disagree mode, the decision "
        "switched off, a no-advice control arm)",
        ("accept", "modify", "reject"),
    ),
    ColumnSpec(
        "final_diagnosis",
        "str",
        True,
        "participant's final diagnosis code (a category read: the category chosen); empty when "
        "not asked (agree/disagree mode, the diagnosis switched off)",
    ),
    ColumnSpec(
        "confidence",
        "int",
        True,
        "confidence in the final diagnosis (default 1-7); empty when the study did not ask for it",
    ),
    ColumnSpec(
        "followed_advice",
        "bool",
        True,
        "final_diagnosis equals advised_diagnosis; agree/disagree mode: agreed; empty without a "
        "final diagnosis or agreement, and in a no-advice control arm",
    ),
    ColumnSpec(
        "correct_decision",
        "bool",
        True,
        "accepted/modified accurate advice, or rejected inaccurate advice (Gaube 2021); "
        "agree/disagree mode: agreed equals advice_correct; empty without a decision or "
        "agreement, and in a no-advice control arm",
    ),
    ColumnSpec(
        "correct_diagnosis",
        "bool",
        True,
        "final_diagnosis equals reference_diagnosis; empty without a final diagnosis",
    ),
    ColumnSpec("response_ms", "int", False, "server-measured time from advice shown to answer"),
    ColumnSpec("shown_at", "datetime", False, "server timestamp, ISO 8601 UTC"),
    ColumnSpec("answered_at", "datetime", False, "server timestamp, ISO 8601 UTC"),
)

# Codebook version 2 adds these columns after version 1's, renaming nothing: a version-1 table
# still loads (they are optional to the loader), a version-2 export carries all of them.
_VIEWER = "viewer actions of this kind on this trial (empty: not sent, or dropped as implausible)"
CODEBOOK_V2: tuple[ColumnSpec, ...] = (
    ColumnSpec("advice_shown_at", "datetime", True, "when the advice appeared"),
    ColumnSpec("design_version", "int", False, "design version the participant ran under"),
    ColumnSpec(
        "explanation", "str", True, "the arm's explanation type", ("none", "local", "global")
    ),
    ColumnSpec(
        "response_mode", "str", False, "answer mode", ("gaube", "agree_disagree", "category")
    ),
    ColumnSpec("agreed", "bool", True, "agree/disagree mode: agreed with the advice"),
    ColumnSpec("decision_ms", "int", True, "agree/disagree mode: advice shown to the click"),
    ColumnSpec("client_active_ms", "int", True, "client-measured visible and active time"),
    ColumnSpec("client_response_ms", "int", True, "client-measured advice shown to submit"),
    ColumnSpec("viewer_zoom", "int", True, _VIEWER),
    ColumnSpec("viewer_pan", "int", True, _VIEWER),
    ColumnSpec("viewer_window", "int", True, _VIEWER),
    ColumnSpec("viewer_invert", "int", True, _VIEWER),
    ColumnSpec("viewer_fullscreen", "int", True, _VIEWER),
    ColumnSpec(
        "timing_flag",
        "str",
        True,
        "why a client timing was discarded",
        ("out_of_range", "clock_skew"),
    ),
    ColumnSpec("synthetic", "bool", False, "the participant was simulated"),
)
CODEBOOK_VERSION = 2

# The exact DATA.md order. TRIALS_COLUMNS are required by the loader (version 1);
# TRIALS_COLUMNS_V2 is the export's header.
TRIALS_COLUMNS: tuple[str, ...] = tuple(spec.name for spec in CODEBOOK)
TRIALS_COLUMNS_V2: tuple[str, ...] = TRIALS_COLUMNS + tuple(spec.name for spec in CODEBOOK_V2)

SPECS: dict[str, ColumnSpec] = {spec.name: spec for spec in CODEBOOK + CODEBOOK_V2}

# Version-1 columns that version 2 lets be empty (a question not asked, a no-advice control arm).
# A table with no empty cell in one of them loads it with its version-1 type (bool, int64), so a
# complete Gaube table reads exactly as before; otherwise as boolean / Int64 with pd.NA.
EMPTY_SINCE_V2: tuple[str, ...] = (
    "advice_correct",
    "advised_diagnosis",
    "advice_rating",
    "decision",
    "final_diagnosis",
    "confidence",
    "followed_advice",
    "correct_decision",
    "correct_diagnosis",
)


def codebook_frame(
    *,
    rating_range: tuple[int, int] = (1, 7),
    confidence_range: tuple[int, int] = (1, 7),
    codes: Mapping[str, Sequence[str]] | None = None,
    version: int = CODEBOOK_VERSION,
) -> pd.DataFrame:
    """The codebook as a table (column, type, nullable, codes, meaning), in TRIALS_COLUMNS order
    (then, for ``version`` 2, the version-2 columns).

    ``codes`` fills in the study's own codes (e.g. {"stratum": ["radiology", "non_radiology"],
    "arm": [...], "case": [...]}); they are joined by ";" as DATA.md's list columns are.
    Fixed contract codes (decision, advice_source, booleans) cannot be overridden.
    """
    codes = dict(codes or {})
    if version not in (1, 2):
        raise ValueError(f"codebook version must be 1 or 2, got {version}")
    specs = CODEBOOK if version == 1 else CODEBOOK + CODEBOOK_V2
    unknown = sorted(set(codes) - {spec.name for spec in specs})
    if unknown:
        raise ValueError(f"codes for unknown columns: {', '.join(unknown)}")
    fixed = sorted(name for name in codes if SPECS[name].codes or SPECS[name].type == "bool")
    if fixed:
        raise ValueError(f"the contract fixes the codes of: {', '.join(fixed)}")
    ranges = {
        "advice_rating": f"{rating_range[0]}-{rating_range[1]}",
        "confidence": f"{confidence_range[0]}-{confidence_range[1]}",
        "unaided_confidence": f"{confidence_range[0]}-{confidence_range[1]}",
    }
    rows = []
    for spec in specs:
        listed = ";".join(spec.codes or codes.get(spec.name, ()))
        if spec.type == "bool":
            listed = "true;false"
        rows.append(
            {
                "column": spec.name,
                "type": spec.type,
                "nullable": spec.nullable,
                "codes": ranges.get(spec.name, listed),
                "meaning": spec.meaning,
            }
        )
    return pd.DataFrame(rows, columns=["column", "type", "nullable", "codes", "meaning"])


# --- how DATA.md writes each type: a cell (text or typed value) -> a Python value ---------------


def is_missing(value: object) -> bool:
    """An empty cell: None, NA, NaT, NaN or the empty string."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def _bool(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValueError


def _int(value: object) -> int:
    if isinstance(value, bool | np.bool_):
        raise ValueError
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if float(value).is_integer():
            return int(value)
        raise ValueError
    text = str(value)
    if text.lstrip("+-").isdigit():
        return int(text)
    raise ValueError


def _float(value: object) -> float:
    if isinstance(value, bool | np.bool_):
        raise ValueError
    return float(value)


def _str(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError


# type -> (parser raising ValueError on a bad cell, the problem an error message names)
PARSERS: dict[str, tuple[Callable[[object], object], str]] = {
    "bool": (_bool, "not true/false"),
    "int": (_int, "not an integer"),
    "float": (_float, "not a number"),
    "str": (_str, "not text"),
}
