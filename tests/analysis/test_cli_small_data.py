"""The command line on a one-participant study with constant answers: the report is written with
the reasons and the descriptive tables, `fit` says why in one line (exit 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main
from analysis.data import trials_to_csv
from tests.analysis.conftest import build_trials


@pytest.fixture
def one_participant_csv(tmp_path) -> Path:
    trials = build_trials(
        [("p1", "radiology", "ai", [(case, case != "E", True) for case in "ABCDEFGH"])]
    )
    path = tmp_path / "trials.csv"
    path.write_text(trials_to_csv(trials), encoding="utf-8")
    return path


def test_report_of_a_one_participant_study_is_written_with_the_reasons(
    one_participant_csv, tmp_path, capsys
):
    # when (this raised OverflowError: math range error, a traceback)
    output = tmp_path / "report.html"
    code = main(["report", str(one_participant_csv), "-o", str(output)])
    # then
    assert code == 0
    assert capsys.readouterr().err == f"wrote {output}\n"
    page = output.read_text(encoding="utf-8")
    assert page.count("The model could not be fitted:") == 4
    assert "no variation in followed_advice: all advice was followed" in page
    assert "at least 2 participants per stratum are needed (radiology has 1)" in page
    assert "Participants and test trials per stratum and arm" in page


@pytest.mark.parametrize("as_json", [False, True])
def test_fit_of_a_one_participant_study_says_why_in_one_line(one_participant_csv, capsys, as_json):
    arguments = ["fit", str(one_participant_csv), "--model", "followed"]
    code = main([*arguments, "--json"] if as_json else arguments)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err == (
        "analysis: error: the followed model cannot be fitted: no variation in followed_advice: "
        "all advice was followed; at least 2 participants per stratum are needed (radiology has "
        "1)\n"
    )


def test_fit_with_an_own_formula_on_separated_data_says_why(one_participant_csv, capsys):
    # the study's checks do not apply to an own formula; the engine's separation check does
    code = main(
        [
            "fit",
            str(one_participant_csv),
            "--model",
            "accuracy",
            "--formula",
            "correct_decision ~ advice_correct + (1|case)",
        ]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "analysis: error: the accuracy model cannot be fitted: perfect separation: the fixed "
        "effects predict 'correct_decision' exactly in some rows (along advice_correct[T.True]), "
        "so the maximum-likelihood estimates are infinite\n"
    )


def test_describe_of_a_one_participant_study_prints_the_tables(one_participant_csv, capsys):
    assert main(["describe", str(one_participant_csv)]) == 0
    out = capsys.readouterr().out
    assert "== Participant flow ==" in out
    assert "== Susceptibility to inaccurate advice ==" in out
