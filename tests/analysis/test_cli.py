import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main

REPOSITORY = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPOSITORY)},
    )


@pytest.fixture(scope="module")
def trials_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "trials.csv"
    done = _run(
        "simulate",
        "-o",
        str(path),
        "--seed",
        "7",
        "--n-radiology",
        "12",
        "--n-non-radiology",
        "12",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"wrote 192 trials to {path}\n"
    return path


def test_simulate_writes_a_data_md_csv(trials_csv):
    header = trials_csv.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("study,participant,stratum,specialty,")
    assert header.endswith(",response_ms,shown_at,answered_at")


def test_fit_json_has_the_documented_keys(trials_csv):
    # when
    done = _run("fit", str(trials_csv), "--model", "rating", "--json")
    # then
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    required = {
        "model",
        "formula",
        "n_obs",
        "fixed_effects",
        "random_effects",
        "residual_variance",
        "log_likelihood",
        "converged",
    }
    assert required <= set(payload)
    assert payload["model"] == "rating"
    assert payload["n_obs"] == 192
    assert payload["formula"] == (
        "advice_rating ~ advice_correct * advice_source * stratum + (1|participant) + (1|case)"
    )
    assert [set(effect) for effect in payload["fixed_effects"]] == [
        {"term", "estimate", "std_error", "ci_low", "ci_high", "z", "p"}
    ] * 8
    assert [effect["group"] for effect in payload["random_effects"]] == ["participant", "case"]
    assert set(payload["random_effects"][0]) == {"group", "term", "variance", "sd"}
    assert [effect["term"] for effect in payload["random_effects"]] == ["Intercept"] * 2
    assert payload["residual_variance"] > 0
    assert isinstance(payload["converged"], bool)


def test_report_writes_one_html_file(trials_csv, tmp_path, capsys):
    output = tmp_path / "report.html"
    assert main(["report", str(trials_csv), "-o", str(output), "--title", "Pilot"]) == 0
    assert capsys.readouterr().err == f"wrote {output}\n"
    page = output.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h1>Pilot</h1>" in page
    assert "(of the input file)" in page


def test_a_bad_file_is_one_line_on_stderr_and_exit_code_2(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("study,participant\n", encoding="utf-8")
    done = _run("fit", str(path), "--model", "accuracy")
    assert done.returncode == 2
    assert done.stderr == "analysis: error: bad.csv: the trials table is empty (no data rows)\n"
    assert done.stdout == ""


def test_an_unknown_option_value_is_one_line_and_exit_code_2(trials_csv, capsys):
    assert main(["fit", str(trials_csv), "--model", "speed"]) == 2
    # Python versions differ in quoting argparse's choices; the words are what matter.
    assert capsys.readouterr().err.replace("'", "") == (
        "python -m analysis fit: error: argument --model: invalid choice: speed "
        "(choose from accuracy, followed, rating, confidence) (see --help)\n"
    )


def test_analysis_and_its_command_line_never_import_django(trials_csv):
    script = (
        "import sys, contextlib, io\n"
        "import analysis.report, analysis.power, analysis.simulate, analysis.report.figures\n"
        "from analysis.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['describe', {str(trials_csv)!r}]) == 0\n"
        f"    assert main(['fit', {str(trials_csv)!r}, '--model', 'accuracy', '--json']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPOSITORY)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_describe_prints_every_table(trials_csv, capsys):
    assert main(["describe", str(trials_csv)]) == 0
    out = capsys.readouterr().out
    for title in (
        "== Participant flow ==",
        "== Accuracy (Wilson 95% CI) ==",
        "== Susceptibility to inaccurate advice ==",
        "== Advice rating ==",
        "== Confidence ==",
        "== Response time (ms) ==",
    ):
        assert title in out


def test_fit_prints_a_readable_summary(trials_csv, capsys):
    assert main(["fit", str(trials_csv), "--model", "accuracy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("model: accuracy  (Laplace, binomial)\n")
    assert "odds_ratio" in out
    assert "human vs ai label: radiology minus non_radiology, advice=averaged" in out


def test_power_prints_a_table_and_a_progress_bar(capsys):
    assert main(["power", "--n", "6", "--sims", "2", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].split() == [
        "target",
        "n",
        "n_sims",
        "n_converged",
        "n_significant",
        "power",
        "mc_ci_low",
        "mc_ci_high",
    ]
    assert captured.err.endswith("] 2/2 n=6  \n")


def test_power_takes_the_design_and_effects_and_names_the_smallest_n(capsys):
    argv = ["power", "--n", "6,8", "--sims", "3", "--seed", "1", "--quiet"]
    argv += ["--cases", "10", "--inaccurate", "3", "--target", "rating_label_radiology"]
    argv += ["--effect", "rating_human_label_radiology=4", "--effect", "rating_residual_sd=0.3"]
    assert main([*argv, "--goal", "0.9"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:6] for line in lines[1:3]] == [
        ["rating_label_radiology", "6", "3", "3", "3", "1.000"],
        ["rating_label_radiology", "8", "3", "3", "3", "1.000"],
    ]
    assert lines[-1] == "smallest n per stratum with power >= 0.9: 6"
    # with no label effect a 4-point difference is not found: the effect reached the simulation
    argv[-3] = "rating_human_label_radiology=0"
    assert main([*argv, "--goal", "0.9"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1] == "no n tried reached power 0.9: try larger --n"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--effect", "nonsense=1"],
            "--effect 'nonsense=1': expected NAME=VALUE with NAME one of ",
        ),
        (["--effect", "case_sd"], "--effect 'case_sd': expected NAME=VALUE with NAME one of "),
        (["--effect", "case_sd=big"], "--effect 'case_sd=big': 'big' is not a number\n"),
        (["--effect", "case_sd=nan"], "--effect 'case_sd=nan': the value must be finite\n"),
        (
            ["--effect", "case_sd=-1"],
            "--effect 'case_sd=-1': a standard deviation cannot be negative\n",
        ),
        (
            ["--effect", "modify_share=2"],
            "--effect 'modify_share=2': a share must be between 0 and 1",
        ),
        (["--goal", "1.5"], "--goal must be between 0 and 1, got 1.5\n"),
        (["--inaccurate", "9"], "inaccurate must be between 0 and cases (8), got 9\n"),
    ],
)
def test_power_refuses_a_bad_design_or_effect_with_its_reason(extra, message, capsys):
    assert main(["power", "--n", "4", "--sims", "1", "--quiet", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("analysis: error: " + message)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["power", "--n", "50,x"],
            "analysis: error: --n must be comma-separated integers, got '50,x'\n",
        ),
        (
            ["power", "--n", "1", "--sims", "1"],
            "analysis: error: participants_per_stratum needs sizes >= 2 (one per arm at least)\n",
        ),
        (
            ["describe", "/nonexistent/trials.csv"],
            "analysis: error: /nonexistent/trials.csv: no such file\n",
        ),
        (
            [],
            "python -m analysis: error: the following arguments are required: command "
            "(see --help)\n",
        ),
    ],
)
def test_bad_arguments_exit_with_code_2_and_one_line(argv, message, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err == message
