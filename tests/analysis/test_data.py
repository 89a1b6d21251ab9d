from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data import (
    TRIALS_COLUMNS,
    TrialsError,
    codebook_frame,
    load_trials,
    trials_sha256,
    trials_to_csv,
)

# DATA.md's trials table, in its order: the study app writes its export header from this.
DATA_MD_COLUMNS = (
    "study",
    "participant",
    "stratum",
    "specialty",
    "training_level",
    "years_experience",
    "arm",
    "advice_source",
    "case",
    "position",
    "is_training",
    "advice_correct",
    "annotation_shown",
    "displayed_confidence",
    "advised_diagnosis",
    "reference_diagnosis",
    "unaided_diagnosis",
    "unaided_confidence",
    "advice_rating",
    "decision",
    "final_diagnosis",
    "confidence",
    "followed_advice",
    "correct_decision",
    "correct_diagnosis",
    "response_ms",
    "shown_at",
    "answered_at",
)


def _as_text(trials: pd.DataFrame) -> pd.DataFrame:
    """The table as the strings its CSV holds, for editing one cell at a time."""
    from io import StringIO

    return pd.read_csv(
        StringIO(trials_to_csv(trials)), dtype=str, keep_default_na=False, na_filter=False
    )


def _write(text_table: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "trials.csv"
    text_table.to_csv(path, index=False)
    return path


def test_trials_columns_are_the_data_md_columns_in_order():
    assert TRIALS_COLUMNS == DATA_MD_COLUMNS


def test_codebook_lists_every_column_in_order_with_scales():
    # given/when
    codebook = codebook_frame(rating_range=(1, 5), version=1)
    # then
    assert tuple(codebook["column"]) == DATA_MD_COLUMNS
    codes = dict(zip(codebook["column"], codebook["codes"], strict=True))
    assert codes["decision"] == "accept;modify;reject"
    assert codes["advice_source"] == "ai;human;none"
    assert codes["is_training"] == "true;false"
    assert codes["advice_rating"] == "1-5"
    assert codes["confidence"] == "1-7"


def test_codebook_fills_in_the_studys_own_codes():
    codebook = codebook_frame(codes={"stratum": ["radiology", "non_radiology"], "case": ["C1"]})
    codes = dict(zip(codebook["column"], codebook["codes"], strict=True))
    assert codes["stratum"] == "radiology;non_radiology"
    assert codes["case"] == "C1"
    assert codes["arm"] == ""


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ({"site": ["a"]}, "codes for unknown columns: site"),
        (
            {"decision": ["yes"], "is_training": ["y"]},
            "the contract fixes the codes of: decision, is_training",
        ),
    ],
)
def test_codebook_refuses_codes_it_cannot_take(codes, message):
    with pytest.raises(ValueError) as caught:
        codebook_frame(codes=codes)
    assert str(caught.value) == message


def test_csv_round_trip_gives_the_same_typed_table(simulated_trials, tmp_path):
    # given
    path = tmp_path / "export.csv"
    path.write_text(trials_to_csv(simulated_trials), encoding="utf-8")
    # when
    from_file = load_trials(path)
    # then
    pd.testing.assert_frame_equal(from_file, load_trials(simulated_trials))
    pd.testing.assert_frame_equal(from_file, simulated_trials)


def test_parquet_round_trip_gives_the_same_typed_table(simulated_trials, tmp_path):
    path = tmp_path / "export.parquet"
    simulated_trials.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(load_trials(path), simulated_trials)


def test_loaded_columns_have_the_documented_types(small_trials, tmp_path):
    # given a CSV with a read-then-reveal answer and a displayed confidence in row 1
    text = _as_text(small_trials)
    text.loc[0, "unaided_confidence"] = "6"
    text.loc[0, "unaided_diagnosis"] = "dx_A"
    text.loc[0, "displayed_confidence"] = "0.87"
    # when
    trials = load_trials(_write(text, tmp_path))
    # then
    assert trials["advice_correct"].dtype == bool
    assert trials["followed_advice"].dtype == bool
    assert trials["position"].dtype == np.int64
    assert trials["unaided_confidence"].dtype == "Int64"
    assert trials["unaided_confidence"].tolist()[:2] == [6, pd.NA]
    assert trials["unaided_diagnosis"].tolist()[:2] == ["dx_A", None]
    assert trials["displayed_confidence"].iloc[0] == 0.87
    assert np.isnan(trials["displayed_confidence"].iloc[1])
    assert str(trials["shown_at"].dtype) == "datetime64[ns, UTC]"
    assert trials["shown_at"].iloc[0] == pd.Timestamp("2024-03-01T09:01:00Z")


def test_extra_columns_are_kept_after_the_contract_columns(small_trials):
    given = small_trials.assign(site=["x", "x", "y", "y"])
    loaded = load_trials(given)
    assert tuple(loaded.columns) == (*DATA_MD_COLUMNS, "site")
    assert loaded["site"].tolist() == ["x", "x", "y", "y"]


def test_training_trials_are_excluded_by_default_and_kept_on_request(small_trials):
    # given: row 1 is a training trial
    given = small_trials.copy()
    given.loc[0, "is_training"] = True
    # when
    default = load_trials(given)
    everything = load_trials(given, include_training=True)
    # then
    assert len(default) == 3
    assert not default["is_training"].any()
    assert len(everything) == 4


@pytest.mark.parametrize(
    ("column", "row", "value", "message"),
    [
        (
            "decision",
            2,
            "maybe",
            "trials.csv: column 'decision': unknown code 'maybe' "
            "(allowed: accept, modify, reject) in data row 2",
        ),
        (
            "advice_source",
            3,
            "AI",
            "trials.csv: column 'advice_source': unknown code 'AI' (allowed: ai, human, none) "
            "in data row 3",
        ),
        (
            "advice_correct",
            1,
            "True",
            "trials.csv: column 'advice_correct': not true/false: 'True' in data row 1",
        ),
        (
            "advice_rating",
            4,
            "8",
            "trials.csv: column 'advice_rating': value 8 out of range 1-7 in data row 4",
        ),
        (
            "confidence",
            2,
            "4.5",
            "trials.csv: column 'confidence': not an integer: '4.5' in data row 2",
        ),
        (
            "participant",
            2,
            "",
            "trials.csv: column 'participant': empty value (required) in data row 2",
        ),
        (
            "shown_at",
            1,
            "yesterday",
            "trials.csv: column 'shown_at': not an ISO 8601 timestamp: 'yesterday' in data row 1",
        ),
        (
            "position",
            3,
            "0",
            "trials.csv: column 'position': value 0 out of range >= 1 in data row 3",
        ),
        (
            "followed_advice",
            2,
            "false",
            "trials.csv: column 'followed_advice': false disagrees with "
            "final_diagnosis == advised_diagnosis (recomputed: true) in data row 2",
        ),
        (
            "correct_decision",
            3,
            "false",
            "trials.csv: column 'correct_decision': false disagrees with "
            "the Gaube 2021 scoring of decision (recomputed: true) in data row 3",
        ),
        (
            "correct_diagnosis",
            1,
            "false",
            "trials.csv: column 'correct_diagnosis': false disagrees with "
            "final_diagnosis == reference_diagnosis (recomputed: true) in data row 1",
        ),
        (
            "case",
            2,
            "A",
            "trials.csv: column 'case': duplicate participant x case: participant 'p1' saw "
            "case 'A' 2 times in data rows 1, 2",
        ),
        (
            "arm",
            2,
            "human",
            "trials.csv: column 'arm': participant 'p1' is in 2 arms (ai, human) in data rows 1, 2",
        ),
        (
            "stratum",
            4,
            "radiology",
            "trials.csv: column 'stratum': participant 'p2' is in 2 strata "
            "(non_radiology, radiology) in data rows 3, 4",
        ),
    ],
)
def test_a_bad_cell_is_reported_with_column_value_and_row(
    small_trials, tmp_path, column, row, value, message
):
    # given: the hand-built table with one cell changed (row = 1-based data row)
    text = _as_text(small_trials)
    text.loc[row - 1, column] = value
    path = _write(text, tmp_path)
    # when
    with pytest.raises(TrialsError) as caught:
        load_trials(path)
    # then
    assert str(caught.value) == message
    assert caught.value.column == column
    assert row in caught.value.rows


def test_an_error_lists_the_first_five_rows_and_counts_the_rest(trials_factory):
    given = trials_factory(
        [("p1", "radiology", "ai", [(f"C{i}", True, True) for i in range(7)])],
        ratings=[9] * 7,
    )
    with pytest.raises(TrialsError) as caught:
        load_trials(given)
    assert str(caught.value) == (
        "trials: column 'advice_rating': value 9 out of range 1-7 in data rows 1, 2, 3, 4, 5 "
        "and 2 more"
    )
    assert caught.value.rows == (1, 2, 3, 4, 5, 6, 7)


def test_the_rating_scale_is_a_parameter(small_trials):
    given = small_trials.assign(advice_rating=[1, 5, 6, 2])
    with pytest.raises(TrialsError) as caught:
        load_trials(given, rating_range=(1, 5))
    assert str(caught.value) == (
        "trials: column 'advice_rating': value 6 out of range 1-5 in data row 3"
    )


def test_missing_columns_are_listed_in_contract_order(small_trials, tmp_path):
    text = _as_text(small_trials).drop(columns=["confidence", "decision"])
    with pytest.raises(TrialsError) as caught:
        load_trials(_write(text, tmp_path))
    assert str(caught.value) == "trials.csv: missing columns: decision, confidence"


def test_a_header_without_rows_is_an_empty_table(small_trials, tmp_path):
    text = _as_text(small_trials).iloc[:0]
    with pytest.raises(TrialsError) as caught:
        load_trials(_write(text, tmp_path))
    assert str(caught.value) == "trials.csv: the trials table is empty (no data rows)"


def test_an_empty_file_has_no_header(tmp_path):
    path = tmp_path / "trials.csv"
    path.write_bytes(b"")
    with pytest.raises(TrialsError) as caught:
        load_trials(path)
    assert str(caught.value) == "trials.csv: the file is empty (no header row)"


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(TrialsError) as caught:
        load_trials(path)
    assert str(caught.value) == f"{path}: no such file"


def test_a_file_that_is_not_utf8_is_refused(small_trials, tmp_path):
    path = tmp_path / "trials.csv"
    path.write_bytes(trials_to_csv(small_trials).replace("p1", "p\xe9").encode("latin-1"))
    with pytest.raises(TrialsError) as caught:
        load_trials(path)
    assert str(caught.value).startswith("trials.csv: not UTF-8 text (")


def test_a_table_of_training_trials_only_has_no_test_trials(small_trials):
    given = small_trials.assign(is_training=True)
    with pytest.raises(TrialsError) as caught:
        load_trials(given)
    assert str(caught.value) == (
        "trials: no test trials: all 4 rows are training trials "
        "(pass include_training=True to analyse them)"
    )


def test_dataframe_booleans_as_python_objects_are_accepted(small_trials):
    given = small_trials.astype({"advice_correct": object})
    assert load_trials(given)["advice_correct"].tolist() == [True, False, False, True]


def test_sha256_is_of_the_canonical_csv(small_trials):
    import hashlib

    expected = hashlib.sha256(trials_to_csv(small_trials).encode("utf-8")).hexdigest()
    assert trials_sha256(small_trials) == expected
    assert trials_sha256(small_trials.assign(advice_rating=5)) != expected


def test_canonical_csv_uses_the_data_md_codes(small_trials):
    lines = trials_to_csv(small_trials).splitlines()
    assert lines[0] == ",".join(DATA_MD_COLUMNS)
    first = dict(zip(DATA_MD_COLUMNS, lines[1].split(","), strict=True))
    assert first["advice_correct"] == "true"
    assert first["is_training"] == "false"
    assert first["unaided_confidence"] == ""
    assert first["displayed_confidence"] == ""
    assert first["shown_at"] == "2024-03-01T09:01:00.000000Z"
