"""The export bundle: every DATA.md table, a filled-in codebook, and a manifest that verifies."""

import hashlib
import io
import json
import zipfile

import pandas as pd
import pytest
from django.core.management import call_command

from study import selectors
from tests.factories import INTERNIST, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_given_a_study_with_answers_when_bundled_then_every_file_matches_its_manifest(tmp_path):
    study = gaube_study()
    answer_all(enrolled_participant(study))
    answer_all(enrolled_participant(study, INTERNIST))
    path = tmp_path / "bundle.zip"

    call_command(
        "export_bundle", "--study", study.slug, "--output", str(path), stdout=io.StringIO()
    )

    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        manifest = json.loads(bundle.read("manifest.json"))
        assert names == {
            *(
                f"{table}.{kind}"
                for table in ("trials", "participants", "allocation", "cases", "audit")
                for kind in ("csv", "parquet")
            ),
            "design.json",
            "codebook.csv",
            "manifest.json",
        }
        for entry in manifest["files"]:
            data = bundle.read(entry["file"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        rows = {entry["file"]: entry["rows"] for entry in manifest["files"]}
        assert rows["trials.csv"] == rows["trials.parquet"] == 16
        assert rows["participants.csv"] == 2
        parquet = pd.read_parquet(io.BytesIO(bundle.read("trials.parquet")))
        csv_frame = pd.read_csv(io.BytesIO(bundle.read("trials.csv")))
        codebook = pd.read_csv(io.BytesIO(bundle.read("codebook.csv")), keep_default_na=False)
    assert list(parquet.columns) == list(selectors.TRIALS_COLUMNS)
    assert parquet["participant"].tolist() == csv_frame["participant"].tolist()
    assert parquet["advice_correct"].dtype == bool
    assert str(parquet["answered_at"].dtype) == "datetime64[us, UTC]"
    assert manifest["study"] == study.slug
    assert manifest["design_hash"] == study.__class__.objects.get(pk=study.pk).design_hash
    assert len(manifest["design_hash"]) == 64
    assert manifest["codebook_version"] == "2"
    trials_codebook = codebook[codebook["table"] == "trials"].set_index("column")
    assert list(trials_codebook.index) == list(selectors.TRIALS_COLUMNS)
    arm_codes = trials_codebook.loc["arm", "codes"]
    assert arm_codes == "ai;human"
    assert trials_codebook.loc["case", "codes"] == ";".join(f"C0{i}" for i in range(1, 9))
