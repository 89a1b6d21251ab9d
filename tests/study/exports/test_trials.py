"""The trials export is exactly the DATA.md contract, and the analysis package reads it back."""

import csv
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from analysis.data import load_trials
from study import selectors, services
from study.core import allocation
from tests.factories import INTERNIST, RADIOLOGIST, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

# Copied from ../shared/docs/DATA.md, in its order: the export must match it column for column.
DATA_MD_TRIALS_COLUMNS = [
    "study", "participant", "stratum", "specialty", "training_level", "years_experience", "arm",
    "advice_source", "case", "position", "is_training", "advice_correct", "annotation_shown",
    "displayed_confidence", "advised_diagnosis", "reference_diagnosis", "unaided_diagnosis",
    "unaided_confidence", "advice_rating", "decision", "final_diagnosis", "confidence",
    "followed_advice", "correct_decision", "correct_diagnosis", "response_ms", "shown_at",
    "answered_at",
    # codebook version 2, after version 1's columns
    "advice_shown_at", "design_version", "explanation", "response_mode", "agreed", "decision_ms",
    "client_active_ms", "client_response_ms", "viewer_zoom", "viewer_pan", "viewer_window",
    "viewer_invert", "viewer_fullscreen", "timing_flag", "synthetic",
]  # fmt: skip


def _export(tmp_path, slug):
    path = tmp_path / "trials.csv"
    call_command("export_trials", "--study", slug, "--output", str(path))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader), path


def test_given_answered_trials_when_exported_then_columns_and_codes_follow_data_md(tmp_path):
    study = gaube_study()
    accepting = enrolled_participant(study, RADIOLOGIST)
    answer_all(accepting, decision="accept")
    rejecting = enrolled_participant(study, INTERNIST)
    answer_all(rejecting, decision="reject")

    header, rows, _ = _export(tmp_path, study.slug)

    assert header == DATA_MD_TRIALS_COLUMNS
    assert len(rows) == 16
    first = next(
        r for r in rows if r["participant"] == accepting.public_id and r["position"] == "1"
    )
    trial = accepting.trials.select_related("case", "advice").get(position=1)
    accurate = trial.advice.variant == "accurate"
    assert first["study"] == study.slug
    assert first["stratum"] == "radiology"
    assert first["specialty"] == "radiology"
    assert first["training_level"] == "attending"
    assert first["years_experience"] == "12"
    assert first["arm"] == accepting.arm.code
    assert first["advice_source"] == accepting.arm.advice_source
    assert first["case"] == trial.case.code
    assert first["is_training"] == "false"
    assert first["advice_correct"] == ("true" if accurate else "false")
    assert first["annotation_shown"] == "false"
    assert first["displayed_confidence"] == ""
    assert first["unaided_diagnosis"] == ""
    assert first["unaided_confidence"] == ""
    assert first["advised_diagnosis"] == trial.advice.diagnosis
    assert first["reference_diagnosis"] == trial.case.reference_diagnosis
    assert first["decision"] == "accept"
    assert first["followed_advice"] == "true"
    assert first["correct_decision"] == ("true" if accurate else "false")
    assert first["correct_diagnosis"] == ("true" if accurate else "false")
    assert first["shown_at"].endswith("Z")
    assert first["answered_at"].endswith("Z")
    rejected = [r for r in rows if r["participant"] == rejecting.public_id]
    # Gaube 2021 scoring: rejecting is correct exactly for the inaccurate advice.
    assert Counter((r["advice_correct"], r["correct_decision"]) for r in rejected) == {
        ("true", "false"): 6,
        ("false", "true"): 2,
    }
    assert all(r["participant"] != accepting.token for r in rows)


def test_given_a_withdrawn_participant_when_exported_then_their_rows_are_absent(tmp_path):
    study = gaube_study()
    kept = enrolled_participant(study)
    answer_all(kept)
    withdrawn = enrolled_participant(study)
    answer_all(withdrawn)
    services.participant_withdraw(participant=withdrawn, by="participant")

    _, rows, _ = _export(tmp_path, study.slug)

    assert {r["participant"] for r in rows} == {kept.public_id}


def test_given_an_unknown_study_when_exported_then_the_command_says_so(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"No study with slug 'nope'\."):
        call_command("export_trials", "--study", "nope", "--output", str(tmp_path / "x.csv"))


def test_given_265_simulated_physicians_when_exported_then_the_gaube_shape_holds(tmp_path):
    study = gaube_study(pilot_mode=True)
    call_command("simulate", "--study", study.slug, "--participants", "265", "--seed", "7")

    path = tmp_path / "trials.csv"
    call_command(
        "export", "--study", study.slug, "--format", "csv", "--output", str(path),
        "--include-synthetic",
    )  # fmt: skip
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["synthetic"] for row in rows} == {"true"}

    assert len(rows) == 2120
    per_participant = defaultdict(list)
    for row in rows:
        per_participant[row["participant"]].append(row)
    assert len(per_participant) == 265
    assert all(len(trials) == 8 for trials in per_participant.values())
    assert all(
        sum(r["advice_correct"] == "false" for r in trials) == 2
        for trials in per_participant.values()
    )
    arms = Counter((trials[0]["stratum"], trials[0]["arm"]) for trials in per_participant.values())
    block = allocation.arm_block_size(services.study_design_spec(study=study))
    for stratum in ("radiology", "non_radiology"):
        assert abs(arms[(stratum, "ai")] - arms[(stratum, "human")]) <= block
    assert arms[("radiology", "ai")] + arms[("radiology", "human")] == 138
    # The analysis package accepts the export as it is (the DATA.md contract both ways).
    frame = load_trials(path)
    assert len(frame) == 2120


def test_given_the_export_when_streamed_to_stdout_then_it_equals_the_file(tmp_path):
    study = gaube_study()
    answer_all(enrolled_participant(study))
    out = io.StringIO()
    call_command("export_trials", "--study", study.slug, "--output", "-", stdout=out)
    _, _, path = _export(tmp_path, study.slug)
    assert out.getvalue() == path.read_text(encoding="utf-8")


def test_response_ms_is_the_time_from_advice_shown_to_answer():
    # given a trial whose advice was shown 12.345 s before it was answered
    from datetime import UTC, datetime, timedelta

    from study.models import Response, Trial

    participant = enrolled_participant(gaube_study())
    answer_all(participant)
    trial = participant.trials.get(position=1)
    shown = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    Trial.objects.filter(pk=trial.pk).update(advice_shown_at=shown)
    Response.objects.filter(trial=trial).update(answered_at=shown + timedelta(milliseconds=12_345))
    # when the trials table is exported
    rows = list(selectors.trial_rows(study=participant.study))
    # then its response_ms is exactly that interval
    (row,) = [r for r in rows if r["position"] == 1]
    assert row["response_ms"] == 12_345
    assert row["answered_at"] == "2026-01-05T09:00:12.345000Z"
