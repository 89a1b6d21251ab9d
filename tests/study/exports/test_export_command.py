"""python manage.py export: any table as CSV or Parquet, or the zip bundle; the analysis package
reads the bundle's tables as they are."""

import csv
import io
import json
import zipfile

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analysis.cli import main as analysis_main
from analysis.data import TRIALS_COLUMNS_V2, load_trials
from study import selectors, services
from study.models import AuditEvent
from study.services.amendments import design_amend
from tests.factories import INTERNIST, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_study():
    study = gaube_study()
    for screening in (None, INTERNIST, None, INTERNIST):
        participant = (
            enrolled_participant(study, screening) if screening else enrolled_participant(study)
        )
        answer_all(participant)
        services.questionnaire_record(
            participant=participant,
            answers={"ai_attitude": 3, "advice_usefulness": 6, "comments": "Clear cases."},
        )
    study.refresh_from_db()
    return study


def _export(study, tmp_path, *args) -> str:
    out = io.StringIO()
    path = tmp_path / "out"
    call_command("export", "--study", study.slug, "--output", str(path), *args, stdout=out)
    return out.getvalue(), path


@pytest.mark.parametrize("table", ["trials", "participants", "cases", "audit", "allocation"])
def test_every_table_is_written_as_csv_and_parquet_with_the_same_rows(
    answered_study, tmp_path, table
):
    text, path = _export(answered_study, tmp_path, "--format", "csv", "--table", table)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    _, parquet_path = _export(answered_study, tmp_path, "--format", "parquet", "--table", table)
    frame = pd.read_parquet(parquet_path)
    # the audit table has grown by the CSV export's own event in between
    assert len(frame) == len(rows) + (table == "audit") > 0
    assert list(frame.columns) == list(rows[0])
    assert text.endswith(f"Wrote {path}.\n")


def test_the_participants_table_carries_every_questionnaire_item(answered_study, tmp_path):
    _, path = _export(answered_study, tmp_path, "--format", "csv", "--table", "participants")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(selectors.PARTICIPANTS_COLUMNS)
    assert {(r["q_ai_attitude"], r["q_advice_usefulness"], r["q_comments"]) for r in rows} == {
        ("3", "6", "Clear cases.")
    }
    assert {(r["design_version"], r["synthetic"], r["status"]) for r in rows} == {
        ("1", "false", "in_progress")
    }


def test_the_bundle_holds_every_table_design_and_a_manifest_the_analysis_reads(
    answered_study, tmp_path
):
    text, path = _export(answered_study, tmp_path, "--format", "zip")
    with zipfile.ZipFile(path) as bundle:
        bundle.extractall(tmp_path / "bundle")
        manifest = json.loads(bundle.read("manifest.json"))
        design = json.loads(bundle.read("design.json"))
    assert manifest["codebook_version"] == "2"
    assert manifest["include_synthetic"] is False
    assert [v["sha256"] for v in manifest["design_versions"]] == [
        v["sha256"] for v in design["versions"]
    ]
    assert "trials.csv" in text
    # the analysis package reads the bundle's trials table unchanged, CSV and Parquet alike
    from_csv = load_trials(tmp_path / "bundle" / "trials.csv")
    from_parquet = load_trials(tmp_path / "bundle" / "trials.parquet")
    assert tuple(from_csv.columns) == TRIALS_COLUMNS_V2
    assert len(from_csv) == len(from_parquet) == 32
    pd.testing.assert_series_equal(from_csv["participant"], from_parquet["participant"])
    assert analysis_main(["describe", str(tmp_path / "bundle" / "trials.csv")]) == 0
    event = AuditEvent.objects.filter(study=answered_study, action="export").latest("id")
    assert event.detail["via"] == "cli"
    assert event.detail["format"] == "zip"


def test_an_unknown_study_or_table_is_refused_with_a_message(answered_study, tmp_path):
    with pytest.raises(CommandError, match=r"No study with slug 'nope'\."):
        call_command(
            "export", "--study", "nope", "--format", "csv", "--output", str(tmp_path / "x")
        )
    with pytest.raises(CommandError, match="invalid choice: 'answers'"):
        call_command(
            "export", "--study", answered_study.slug, "--format", "csv", "--table", "answers",
            "--output", str(tmp_path / "x"),
        )  # fmt: skip
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export", "--study", answered_study.slug, "--format", "zip",
            "--output", str(tmp_path / "missing" / "x.zip"),
        )  # fmt: skip
    assert not list(tmp_path.glob("*.partial"))


def test_given_an_amendment_then_later_participants_export_its_version_and_the_manifest_all(
    tmp_path,
):
    # given: one participant under version 1, then the consent text amended, then another
    study = gaube_study()
    first = enrolled_participant(study)
    answer_all(first)
    study.refresh_from_db()
    version_1 = study.design_hash
    design_amend(
        study=study,
        actor=None,
        reason="Ethics board asked for the data-protection contact",
        consent_text=study.consent_text + "\n\nContact: dpo@example.org",
    )
    second = enrolled_participant(study, INTERNIST)
    answer_all(second)
    study.refresh_from_db()
    # when
    _, path = _export(study, tmp_path, "--format", "zip")
    # then
    with zipfile.ZipFile(path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        design = json.loads(bundle.read("design.json"))
        trials = list(csv.DictReader(io.StringIO(bundle.read("trials.csv").decode("utf-8"))))
    versions = {row["participant"]: row["design_version"] for row in trials}
    assert versions == {first.public_id: "1", second.public_id: "2"}
    assert [(v["version"], v["sha256"]) for v in manifest["design_versions"]] == [
        (1, version_1),
        (2, study.design_hash),
    ]
    assert version_1 != study.design_hash
    assert manifest["design_hash"] == study.design_hash
    assert design["versions"][1]["reason"] == "Ethics board asked for the data-protection contact"
    assert "dpo@example.org" in json.dumps(design["versions"][1]["document"])
