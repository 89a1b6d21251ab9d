"""The participants table and the codebook follow the study's own questionnaire and screening."""

import csv
import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest

from study import services
from tests.factories import answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "code": "trust",
        "wording": "How far did you trust the advice?",
        "type": "likert",
        "scale": [1, 5],
        "anchors": ["not at all", "fully"],
    },
    {
        "code": "tools",
        "wording": "Which tools do you use?",
        "type": "multiple",
        "choices": [["pacs", "PACS"], ["cad", "CAD"], ["llm", "A chatbot"]],
    },
    {"code": "hours", "wording": "Hours read per week", "type": "number", "scale": [0, 80]},
    {"code": "notes", "wording": "Anything else?", "type": "text", "required": False},
]
SCREENING = {
    "specialties": [["radiology", "Radiology"], ["internal_medicine", "Internal medicine"]],
    "training_levels": [["consultant", "Consultant"], ["trainee", "Trainee"]],
    "prior_ai_use": [["none", "Never"], ["daily", "Every day"]],
}


def _study():
    return gaube_study(questionnaire_items=ITEMS, screening=SCREENING)


def _completed(study):
    participant = enrolled_participant(
        study,
        services.Screening(
            specialty="radiology",
            training_level="consultant",
            years_experience=9,
            prior_ai_use="daily",
        ),
    )
    answer_all(participant)
    services.questionnaire_record(
        participant=participant,
        answers={"trust": 4, "tools": ["pacs", "llm"], "hours": 35, "notes": "fine, thanks"},
    )
    return services.participant_complete(participant=participant, withdraw=False)


def test_the_participants_table_has_a_column_per_item_of_the_study_questionnaire():
    study = _study()
    participant = _completed(study)
    handle = io.BytesIO()
    services.study_export(study=study, table="participants", handle=handle)
    rows = list(csv.DictReader(io.StringIO(handle.getvalue().decode("utf-8"))))
    assert len(rows) == 1
    (row,) = rows
    assert list(row)[-5:] == ["synthetic", "q_trust", "q_tools", "q_hours", "q_notes"]
    assert "q_ai_attitude" not in row  # the default items are not this study's
    assert row["participant"] == participant.public_id
    assert (row["q_trust"], row["q_tools"], row["q_hours"], row["q_notes"]) == (
        "4",
        "pacs;llm",
        "35",
        "fine, thanks",
    )
    assert (row["training_level"], row["prior_ai_use"]) == ("consultant", "daily")


def test_the_bundle_codebook_and_parquet_follow_the_study_instruments():
    study = _study()
    _completed(study)
    handle = io.BytesIO()
    services.study_export(study=study, table="bundle", handle=handle)
    with zipfile.ZipFile(handle) as bundle:
        codebook = list(csv.DictReader(io.StringIO(bundle.read("codebook.csv").decode())))
        parquet = pq.read_table(io.BytesIO(bundle.read("participants.parquet")))
        manifest = json.loads(bundle.read("manifest.json"))
    entries = {(r["table"], r["column"]): r for r in codebook}
    trust = entries[("participants", "q_trust")]
    assert (trust["type"], trust["codes"]) == ("int", "1-5")
    assert trust["meaning"] == (
        "questionnaire (likert): How far did you trust the advice? (1 = not at all, 5 = fully)"
    )
    tools = entries[("participants", "q_tools")]
    assert (tools["type"], tools["codes"]) == ("str", "pacs;cad;llm")
    assert tools["meaning"] == (
        "questionnaire (multiple): Which tools do you use? (pacs = PACS; cad = CAD; "
        "llm = A chatbot; every code chosen, joined by ';')"
    )
    hours = entries[("participants", "q_hours")]
    assert (hours["type"], hours["codes"]) == ("int", "0-80")
    notes = entries[("participants", "q_notes")]
    assert (notes["type"], notes["codes"], notes["nullable"]) == ("str", "", "true")
    assert ("participants", "q_ai_attitude") not in entries
    assert entries[("participants", "specialty")]["codes"] == "radiology;internal_medicine"
    assert entries[("participants", "training_level")]["codes"] == "consultant;trainee"
    assert entries[("participants", "prior_ai_use")]["codes"] == "none;daily"
    assert entries[("trials", "specialty")]["codes"] == "radiology;internal_medicine"
    assert entries[("trials", "training_level")]["codes"] == "consultant;trainee"
    assert entries[("trials", "advice_source")]["codes"] == "ai;human;none"
    assert parquet.column_names[-4:] == ["q_trust", "q_tools", "q_hours", "q_notes"]
    assert parquet.column("q_tools").to_pylist() == ["pacs;llm"]
    assert parquet.column("q_hours").to_pylist() == [35]
    rows = {entry["file"]: entry["rows"] for entry in manifest["files"]}
    assert rows["participants.csv"] == rows["participants.parquet"] == 1
