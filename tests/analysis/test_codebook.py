"""Codebook version 2 (DATA.md): its columns follow version 1's, are typed when present, and a
version-1 table still loads."""

import pandas as pd
import pytest

from analysis.data import TrialsError, codebook_frame, load_trials, trials_to_csv
from tests.analysis.test_data import DATA_MD_COLUMNS

# DATA.md codebook version 2: added after version 1's columns, in this order.
DATA_MD_V2_COLUMNS = (
    "advice_shown_at",
    "design_version",
    "explanation",
    "response_mode",
    "agreed",
    "decision_ms",
    "client_active_ms",
    "client_response_ms",
    "viewer_zoom",
    "viewer_pan",
    "viewer_window",
    "viewer_invert",
    "viewer_fullscreen",
    "timing_flag",
    "synthetic",
)


def test_codebook_version_2_appends_its_columns_to_version_1():
    assert tuple(codebook_frame(version=1)["column"]) == DATA_MD_COLUMNS
    assert tuple(codebook_frame()["column"]) == DATA_MD_COLUMNS + DATA_MD_V2_COLUMNS
    with pytest.raises(ValueError, match=r"^codebook version must be 1 or 2, got 3$"):
        codebook_frame(version=3)


def test_a_version_2_table_is_typed_and_a_version_1_table_still_loads(small_trials, tmp_path):
    # given: the version-1 table, and the same rows with the version-2 columns
    v2 = small_trials.copy()
    v2["advice_shown_at"] = v2["shown_at"].astype(str)
    v2["design_version"] = ["1", "1", "2", "2"]
    v2["explanation"] = ["none", "", "local", "global"]
    v2["response_mode"] = "gaube"
    v2["agreed"] = ["", "true", "false", ""]
    v2["decision_ms"] = ["", "900", "", ""]
    v2["client_active_ms"] = ["1000", "", "2000", "3000"]
    v2["client_response_ms"] = ["1100", "", "2100", "3100"]
    for kind in ("zoom", "pan", "window", "invert", "fullscreen"):
        v2[f"viewer_{kind}"] = ["0", "1", "2", "3"]
    v2["timing_flag"] = ["", "clock_skew", "", "out_of_range"]
    v2["synthetic"] = "false"
    # when
    old, new = load_trials(small_trials), load_trials(v2)
    # then: the version-1 columns are identical, the version-2 ones typed
    pd.testing.assert_frame_equal(new[list(DATA_MD_COLUMNS)], old)
    assert tuple(new.columns) == DATA_MD_COLUMNS + DATA_MD_V2_COLUMNS
    assert new["agreed"].tolist() == [pd.NA, True, False, pd.NA]
    assert str(new["decision_ms"].dtype) == "Int64"
    assert new["viewer_invert"].tolist() == [0, 1, 2, 3]
    assert not new["synthetic"].any()
    # and the CSV form round-trips
    (tmp_path / "v2.csv").write_text(trials_to_csv(new), encoding="utf-8")
    again = load_trials(tmp_path / "v2.csv")
    pd.testing.assert_frame_equal(again, new)


def test_a_version_2_code_outside_the_contract_names_the_column(small_trials):
    v2 = small_trials.assign(timing_flag=["", "late", "", ""])
    with pytest.raises(TrialsError, match="timing_flag"):
        load_trials(v2)
