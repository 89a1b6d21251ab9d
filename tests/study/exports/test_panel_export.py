"""A panel participant's id and session parameters in the participants export (CSV and Parquet)
and in the bundle's codebook."""

import csv
import io
import json
import zipfile

import pandas as pd
import pytest

from study import selectors, services
from study.core import panels
from tests.factories import RADIOLOGIST, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

PID = "5f3a9c0e1b2d4e6f7a8b9c0d"


def _export(study, table: str, file_format: str = "csv") -> bytes:
    handle = io.BytesIO()
    services.study_export(study=study, table=table, handle=handle, file_format=file_format)
    return handle.getvalue()


@pytest.fixture
def panel_study():
    study = services.self_enrolment_enable(study=gaube_study())
    study = services.panel_settings_set(study=study, config=panels.PROLIFIC)
    panel = services.PanelValues(
        external_id=PID, params={"STUDY_ID": "60a1b2c3", "SESSION_ID": "sess-42"}
    )
    participant = services.participant_self_enrol(study=study, panel=panel)
    services.participant_consent(participant=participant, agreed=True)
    answer_all(services.participant_enrol(participant=participant, screening=RADIOLOGIST))
    answer_all(enrolled_participant(study))  # invited, not from the panel
    return study


def test_given_a_panel_participant_then_the_export_has_their_id_and_session_as_json(panel_study):
    rows = list(csv.DictReader(io.StringIO(_export(panel_study, "participants").decode())))

    assert list(rows[0])[:16] == list(selectors.PARTICIPANTS_COLUMNS)[:16]
    assert list(rows[0])[13:15] == ["external_id", "panel_params"]
    by_id = {row["external_id"]: row for row in rows}
    assert set(by_id) == {PID, ""}
    assert json.loads(by_id[PID]["panel_params"]) == {
        "SESSION_ID": "sess-42",
        "STUDY_ID": "60a1b2c3",
    }
    assert by_id[PID]["panel_params"] == '{"SESSION_ID":"sess-42","STUDY_ID":"60a1b2c3"}'
    assert by_id[""]["panel_params"] == ""


def test_given_parquet_then_panel_params_is_a_nullable_string(panel_study):
    frame = pd.read_parquet(io.BytesIO(_export(panel_study, "participants", "parquet")))
    values = dict(zip(frame["external_id"].fillna(""), frame["panel_params"], strict=True))
    assert values[PID] == '{"SESSION_ID":"sess-42","STUDY_ID":"60a1b2c3"}'
    assert pd.isna(values[""])


def test_given_the_bundle_then_the_codebook_describes_panel_params(panel_study):
    with zipfile.ZipFile(io.BytesIO(_export(panel_study, "bundle"))) as bundle:
        codebook = pd.read_csv(io.BytesIO(bundle.read("codebook.csv")), keep_default_na=False)
    entry = codebook[(codebook["table"] == "participants") & (codebook["column"] == "panel_params")]
    assert entry.iloc[0]["type"] == "str"
    assert "JSON object" in entry.iloc[0]["meaning"]
