import numpy as np
import pandas as pd
import pytest

from analysis.mixed import ModelError
from analysis.reveal import (
    NO_REVEAL,
    accuracy_by_phase,
    confidence_change,
    phase_model,
    switch_table,
)
from analysis.simulate import simulate_trials


def _trial(participant, unaided, advised, final, *, correct=True, reference="a", **extra):
    row = {
        "participant": participant,
        "stratum": "radiology",
        "advice_source": "ai",
        "case": f"C{len(participant)}",
        "is_training": False,
        "advice_correct": correct,
        "advised_diagnosis": advised,
        "reference_diagnosis": reference,
        "unaided_diagnosis": unaided,
        "final_diagnosis": final,
        "unaided_confidence": 4,
        "confidence": 5,
    }
    row.update(extra)
    return row


@pytest.fixture
def hand_table() -> pd.DataFrame:
    rows = [
        # unaided differs from the advice: 3 at risk of switching, 2 switch
        _trial("p1", "b", "a", "a"),
        _trial("p2", "b", "a", "a", unaided_confidence=2, confidence=6),
        _trial("p3", "c", "a", "c"),
        # unaided equals the advice: 2 at risk of leaving it, 1 leaves
        _trial("p4", "a", "a", "a"),
        _trial("p5", "a", "a", "b", unaided_confidence=6, confidence=3),
        # a training trial and a no-advice trial are never counted
        _trial("p6", "b", "a", "a", is_training=True),
        _trial("p7", "b", "", "b", advice_source="none", correct=None),
    ]
    return pd.DataFrame(rows).astype({"advice_correct": "boolean"})


def test_switch_rate_and_its_mirror_count_the_trials_at_risk(hand_table):
    table = switch_table(hand_table)
    assert table["measure"].tolist() == ["switched to advice", "left agreeing advice"]
    assert table[["n", "k"]].values.tolist() == [[3, 2], [2, 1]]
    assert table["proportion"].tolist() == pytest.approx([2 / 3, 1 / 2])
    assert (table["ci_low"] < table["proportion"]).all()
    assert (table["proportion"] < table["ci_high"]).all()


def test_accuracy_before_and_after_the_advice(hand_table):
    table = accuracy_by_phase(hand_table)
    assert table["phase"].tolist() == ["unaided", "final"]
    # reference "a": unaided a in p4, p5 (2 of 5); final a in p1, p2, p4 (3 of 5)
    assert table[["n", "k"]].values.tolist() == [[5, 2], [5, 3]]


def test_confidence_change_is_final_minus_unaided_with_a_t_interval(hand_table):
    table = confidence_change(hand_table)
    changes = np.array([1, 4, 1, 1, -3], dtype=float)
    assert table["n"].tolist() == [5]
    assert table["mean"].iat[0] == pytest.approx(changes.mean())
    half = 2.7764451051977987 * changes.std(ddof=1) / np.sqrt(5)  # qt(0.975, 4)
    assert table["ci_low"].iat[0] == pytest.approx(changes.mean() - half)
    assert table["ci_high"].iat[0] == pytest.approx(changes.mean() + half)


def test_a_study_without_unaided_reads_is_told_so(hand_table):
    with pytest.raises(ModelError, match=NO_REVEAL):
        switch_table(hand_table.assign(unaided_diagnosis=None))


def test_the_phase_model_estimates_the_change_in_accuracy():
    rng = np.random.default_rng(7)
    trials = simulate_trials(n_radiology=20, n_non_radiology=20, rng=rng)
    reference = trials["reference_diagnosis"].to_numpy()
    wrong = trials["advised_diagnosis"].where(~trials["advice_correct"], "other").to_numpy()
    n = len(trials)
    trials["unaided_diagnosis"] = np.where(rng.random(n) < 0.55, reference, wrong)
    trials["final_diagnosis"] = np.where(rng.random(n) < 0.8, reference, wrong)
    result = phase_model(trials)
    terms = [effect.term for effect in result.fixed_effects]
    assert terms == [
        "Intercept",
        "phase[T.final]",
        "advice_correct[T.True]",
        "phase[T.final]:advice_correct[T.True]",
    ]
    assert result.converged
    assert result.fixed_effects[1].estimate > 0  # 80 % vs 55 % correct


def _reveal_study(path):
    from analysis.data import trials_to_csv

    rng = np.random.default_rng(11)
    trials = simulate_trials(n_radiology=16, n_non_radiology=16, rng=rng)
    reference = trials["reference_diagnosis"].to_numpy()
    n = len(trials)
    trials["unaided_diagnosis"] = np.where(rng.random(n) < 0.6, reference, "effusion")
    trials["unaided_confidence"] = pd.array(rng.integers(1, 8, n), dtype="Int64")
    path.write_text(trials_to_csv(trials), encoding="utf-8")
    return path


def test_the_reveal_command_prints_every_table(tmp_path, capsys):
    from analysis.cli import main

    assert main(["reveal", str(_reveal_study(tmp_path / "reveal.csv"))]) == 0
    out = capsys.readouterr().out
    assert "== Switch to the advice, and leaving agreeing advice (Wilson 95% CI) ==" in out
    assert "== Accuracy of the unaided and the final diagnosis (Wilson 95% CI) ==" in out
    assert "== Confidence change, final minus unaided (t 95% CI) ==" in out


def test_the_reveal_command_json_has_each_table(tmp_path, capsys):
    import json

    from analysis.cli import main

    assert main(["reveal", str(_reveal_study(tmp_path / "reveal.csv")), "--json"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert set(payload) == {"switch", "accuracy_by_phase", "confidence_change", "phase_model"}
    assert {row["measure"] for row in payload["switch"]} == {
        "switched to advice",
        "left agreeing advice",
    }
    assert {row["phase"] for row in payload["accuracy_by_phase"]} == {"unaided", "final"}
    # the phase GLMM is either fitted or said not to be, never silently missing
    assert payload["phase_model"] is not None or "phase GLMM was not fitted" in captured.err


def test_the_reveal_command_on_a_study_without_unaided_reads_exits_2(tmp_path, capsys):
    from analysis.cli import main
    from analysis.data import trials_to_csv

    trials = simulate_trials(n_radiology=4, n_non_radiology=4, rng=np.random.default_rng(1))
    path = tmp_path / "plain.csv"
    path.write_text(trials_to_csv(trials), encoding="utf-8")
    assert main(["reveal", str(path)]) == 2
    assert capsys.readouterr().err == f"analysis: error: {NO_REVEAL}\n"


def test_the_report_has_the_reveal_tables_only_for_a_reveal_study(tmp_path):
    from analysis.data import load_trials
    from analysis.report import build_report

    trials = load_trials(_reveal_study(tmp_path / "reveal.csv"))
    page = build_report(trials)
    assert "<h3>Read-then-reveal</h3>" in page
    assert page.count("<caption>Switched to the advice") == 1
    assert page.count("<caption>Accuracy of the unaided and of the final diagnosis") == 1
    assert page.count("<caption>Confidence change, final minus unaided") == 1
    plain = simulate_trials(n_radiology=4, n_non_radiology=4, rng=np.random.default_rng(1))
    assert "Read-then-reveal" not in build_report(plain)
