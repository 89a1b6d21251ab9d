"""Load and validate the trials table of DATA.md (CSV, Parquet or a DataFrame).

Rule: nothing downstream sees a table that breaks the contract. Every problem is reported as a
TrialsError naming the column, the offending value and the first offending rows. Row numbers are
*data rows, 1-based, header not counted* (data row 1 is line 2 of a CSV file; for a DataFrame it is
the first row by position).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codebook import (
    CODEBOOK,
    CODEBOOK_V2,
    EMPTY_SINCE_V2,
    TRIALS_COLUMNS,
    TRIALS_COLUMNS_V2,
    ColumnSpec,
    codebook_frame,
)
from analysis.codebook import PARSERS as _PARSERS
from analysis.codebook import SPECS as _SPECS
from analysis.codebook import is_missing as _is_missing
from analysis.scores import derived_mismatches, trial_scores

__all__ = [
    "CODEBOOK",
    "CODEBOOK_V2",
    "TRIALS_COLUMNS",
    "TRIALS_COLUMNS_V2",
    "ColumnSpec",
    "TrialsError",
    "codebook_frame",
    "load_trials",
    "trial_scores",
    "trials_sha256",
    "trials_to_csv",
]

# How many offending rows an error message lists before "and N more".
_MAX_ROWS_SHOWN = 5


class TrialsError(ValueError):
    """The trials table breaks the DATA.md contract.

    Attributes: ``column`` (or None for table-level problems) and ``rows`` (1-based data rows).
    """

    def __init__(self, message: str, *, column: str | None = None, rows: tuple[int, ...] = ()):
        super().__init__(message)
        self.column = column
        self.rows = rows


def load_trials(
    source: str | Path | pd.DataFrame,
    *,
    include_training: bool = False,
    rating_range: tuple[int, int] = (1, 7),
    confidence_range: tuple[int, int] = (1, 7),
) -> pd.DataFrame:
    """Read, validate and type the trials table.

    ``source`` is a path to a CSV file (UTF-8, ``true``/``false``, empty for missing), a Parquet
    file (suffix ``.parquet`` or ``.pq``) or a DataFrame. Returns a new DataFrame with the DATA.md
    columns first, in order (extra columns kept after them): str columns as object, bool columns
    as bool, required ints as int64, nullable ints as Int64, displayed_confidence as float64 (NaN
    if missing), timestamps as UTC datetimes. The version-1 columns version 2 lets be empty
    (codebook.EMPTY_SINCE_V2: a question not asked, a no-advice control arm) keep their
    version-1 types (bool, int64) when they have no empty cell, else boolean / Int64 (pd.NA).
    Training trials are dropped unless ``include_training``. Raises TrialsError on any violation
    of the contract.
    """
    raw, label = _read(source)
    if len(raw) == 0:
        raise TrialsError(f"{label}: the trials table is empty (no data rows)")
    missing = [name for name in TRIALS_COLUMNS if name not in raw.columns]
    if missing:
        raise TrialsError(f"{label}: missing columns: {', '.join(missing)}", column=missing[0])
    raw = raw.reset_index(drop=True)
    rows = np.arange(1, len(raw) + 1)

    typed = {}
    # Version-1 columns are required; version-2 columns are typed when present.
    for spec in CODEBOOK + tuple(s for s in CODEBOOK_V2 if s.name in raw.columns):
        typed[spec.name] = _convert(raw[spec.name], spec, label, rows)
    trials = pd.DataFrame(typed)
    extra = [name for name in raw.columns if name not in _SPECS]
    for name in extra:
        trials[name] = raw[name].to_numpy()

    _check_range(trials, "advice_rating", rating_range, label, rows)
    _check_range(trials, "confidence", confidence_range, label, rows)
    _check_range(trials, "unaided_confidence", confidence_range, label, rows)
    _check_range(trials, "position", (1, None), label, rows)
    _check_range(trials, "years_experience", (0, None), label, rows)
    _check_range(trials, "response_ms", (0, None), label, rows)
    _check_derived(trials, label, rows)
    _check_unique_trials(trials, label, rows)
    for column in ("arm", "stratum"):
        _check_constant_per_participant(trials, column, label, rows)

    if not include_training:
        keep = ~trials["is_training"].to_numpy()
        if not keep.any():
            raise TrialsError(
                f"{label}: no test trials: all {len(trials)} rows are training trials "
                "(pass include_training=True to analyse them)",
                column="is_training",
            )
        trials = trials.loc[keep].reset_index(drop=True)
    return trials


def trials_to_csv(trials: pd.DataFrame) -> str:
    """A typed trials table as DATA.md CSV text: true/false, empty for missing, ISO 8601 UTC."""
    out = pd.DataFrame(index=trials.index)
    known = [name for name in TRIALS_COLUMNS_V2 if name in trials.columns]
    for name in known + [c for c in trials.columns if c not in _SPECS]:
        column = trials[name]
        spec = _SPECS.get(name)
        if spec is not None and spec.type == "bool":
            out[name] = ["" if pd.isna(v) else ("true" if v else "false") for v in column]
        elif spec is not None and spec.type == "datetime":
            stamps = pd.to_datetime(column, utc=True)
            out[name] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").where(stamps.notna(), "")
        elif spec is not None and spec.type == "float":
            out[name] = [("" if pd.isna(v) else repr(float(v))) for v in column]
        else:
            out[name] = ["" if _is_missing(v) else str(v) for v in column]
    return out.to_csv(index=False, lineterminator="\n")


def trials_sha256(trials: pd.DataFrame) -> str:
    """sha256 of the table's canonical DATA.md CSV form (used when no source file is at hand)."""
    return hashlib.sha256(trials_to_csv(trials).encode("utf-8")).hexdigest()


# --- reading -------------------------------------------------------------------------------------


def _read(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.copy(), "trials"
    path = Path(source)
    label = path.name
    if not path.is_file():
        raise TrialsError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            return pd.read_parquet(path), label
        # Everything as text, nothing guessed: the contract's codes are checked exactly below.
        return (
            pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"),
            label,
        )
    except UnicodeDecodeError as error:
        raise TrialsError(
            f"{label}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except pd.errors.EmptyDataError:
        raise TrialsError(f"{label}: the file is empty (no header row)") from None
    except pd.errors.ParserError as error:
        raise TrialsError(f"{label}: not a readable CSV file ({error})") from None
    except (OSError, ValueError) as error:
        raise TrialsError(f"{label}: cannot read the file ({error})") from None


# --- conversion ----------------------------------------------------------------------------------


def _convert(column: pd.Series, spec: ColumnSpec, label: str, rows: np.ndarray) -> pd.Series:
    values = column.to_numpy(dtype=object)
    missing = np.array([_is_missing(v) for v in values], dtype=bool)
    if not spec.nullable and missing.any():
        raise _row_error(label, spec.name, "empty value (required)", rows[missing])

    if spec.type == "datetime":
        return _convert_datetime(column, missing, spec, label, rows)

    parse, problem = _PARSERS[spec.type]
    parsed: list[object] = []
    bad_values: list[object] = []
    bad = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if missing[i]:
            parsed.append(None)
            continue
        try:
            parsed.append(parse(value))
        except (TypeError, ValueError):
            parsed.append(None)
            bad[i] = True
            bad_values.append(value)
    if bad.any():
        raise _row_error(label, spec.name, f"{problem}: {bad_values[0]!r}", rows[bad])
    if spec.codes:
        pairs = zip(parsed, missing, strict=True)
        unknown = np.array([(not m) and v not in spec.codes for v, m in pairs])
        if unknown.any():
            first = parsed[int(np.argmax(unknown))]
            allowed = ", ".join(spec.codes)
            raise _row_error(
                label, spec.name, f"unknown code {first!r} (allowed: {allowed})", rows[unknown]
            )

    # A version-1 column that version 2 lets be empty keeps its version-1 type when complete.
    nullable = spec.nullable and not (spec.name in EMPTY_SINCE_V2 and not missing.any())
    if spec.type == "bool":
        return pd.Series(parsed, dtype="boolean" if nullable else bool)
    if spec.type == "int":
        return pd.Series(parsed, dtype="Int64" if nullable else "int64")
    if spec.type == "float":
        return pd.Series([np.nan if v is None else v for v in parsed], dtype="float64")
    return pd.Series(parsed, dtype=object)


def _convert_datetime(
    column: pd.Series, missing: np.ndarray, spec: ColumnSpec, label: str, rows: np.ndarray
) -> pd.Series:
    values = column.to_numpy(dtype=object)
    stamps = pd.to_datetime(pd.Series(values), utc=True, errors="coerce", format="ISO8601")
    bad = stamps.isna().to_numpy() & ~missing
    if bad.any():
        first = values[int(np.argmax(bad))]
        raise _row_error(label, spec.name, f"not an ISO 8601 timestamp: {first!r}", rows[bad])
    return stamps


# --- table-level checks --------------------------------------------------------------------------


def _check_range(
    trials: pd.DataFrame,
    column: str,
    bounds: tuple[int | None, int | None],
    label: str,
    rows: np.ndarray,
) -> None:
    low, high = bounds
    values = trials[column]
    present = values.notna().to_numpy()
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    bad = np.zeros(len(values), dtype=bool)
    if low is not None:
        bad |= present & (numbers < low)
    if high is not None:
        bad |= present & (numbers > high)
    if bad.any():
        first = int(numbers[int(np.argmax(bad))])
        allowed = f"{low}-{high}" if high is not None else f">= {low}"
        raise _row_error(label, column, f"value {first} out of range {allowed}", rows[bad])


def _check_derived(trials: pd.DataFrame, label: str, rows: np.ndarray) -> None:
    # The three scored columns are functions of the others: recompute them so that an export bug
    # (or a hand-edited file) cannot silently change the outcome the models analyse.
    mismatches = derived_mismatches(trials)
    if mismatches:
        column, rule, bad, shown, recomputed = mismatches[0]
        raise _row_error(
            label,
            column,
            f"{shown} disagrees with {rule} (recomputed: {recomputed})",
            rows[bad],
        )


def _check_unique_trials(trials: pd.DataFrame, label: str, rows: np.ndarray) -> None:
    duplicated = trials.duplicated(["participant", "case"], keep=False).to_numpy()
    if duplicated.any():
        i = int(np.argmax(duplicated))
        participant, case = trials["participant"].iat[i], trials["case"].iat[i]
        same = ((trials["participant"] == participant) & (trials["case"] == case)).to_numpy()
        raise _row_error(
            label,
            "case",
            f"duplicate participant x case: participant {participant!r} saw case {case!r} "
            f"{int(same.sum())} times",
            rows[same],
        )


def _check_constant_per_participant(
    trials: pd.DataFrame, column: str, label: str, rows: np.ndarray
) -> None:
    counts = trials.groupby("participant", sort=False)[column].nunique()
    if (counts > 1).any():
        participant = counts.index[int(np.argmax((counts > 1).to_numpy()))]
        mine = (trials["participant"] == participant).to_numpy()
        levels = ", ".join(sorted(map(str, trials.loc[mine, column].unique())))
        plural = {"arm": "arms", "stratum": "strata"}[column]
        raise _row_error(
            label,
            column,
            f"participant {participant!r} is in {int(counts[participant])} {plural} ({levels})",
            rows[mine],
        )


def _row_error(label: str, column: str, problem: str, bad_rows: np.ndarray) -> TrialsError:
    bad_rows = np.asarray(bad_rows)
    shown = ", ".join(str(int(r)) for r in bad_rows[:_MAX_ROWS_SHOWN])
    more = len(bad_rows) - _MAX_ROWS_SHOWN
    suffix = f" and {more} more" if more > 0 else ""
    noun = "data row" if len(bad_rows) == 1 else "data rows"
    return TrialsError(
        f"{label}: column {column!r}: {problem} in {noun} {shown}{suffix}",
        column=column,
        rows=tuple(int(r) for r in bad_rows),
    )
