"""study.permissions.study_may_export_free_text: a viewer's exports (console, API, the export
service) leave out free-text answers unless an owner allows them; owners, collaborators and
`manage.py export` (no account) always get them."""

import csv
import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse

from study import permissions, services
from study.models import AuditEvent, StudyMembership
from tests.factories import StudyFactory, UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "code": "trust",
        "wording": "Trust?",
        "type": "likert",
        "scale": [1, 5],
        "anchors": ["none", "full"],
    },
    {"code": "notes", "wording": "Anything else?", "type": "text", "required": False},
    {"code": "why", "wording": "Why?", "type": "text", "required": False},
]
LIKERT_ONLY = [
    "participant",
    "stratum",
    "specialty",
    "training_level",
    "years_experience",
    "prior_ai_use",
    "arm",
    "status",
    "consented_at",
    "completed_at",
    "n_trials_answered",
    "design_version",
    "language",
    "external_id",
    "panel_params",
    "synthetic",
    "q_trust",
]
WITH_TEXT = [*LIKERT_ONLY, "q_notes", "q_why"]


def _member(study, role: str):
    user = UserFactory(username=role)
    StudyMembership.objects.create(study=study, user=user, role=role)
    return user


@pytest.mark.parametrize(
    ("who", "switch", "allowed"),
    [
        ("owner", False, True),
        ("collaborator", False, True),
        ("viewer", False, False),
        ("viewer", True, True),
        ("stranger", True, False),
        ("anonymous", True, False),
        ("superuser", False, True),
        ("no account", False, True),
    ],
)
def test_who_may_export_free_text(who, switch, allowed):
    study = StudyFactory(viewers_may_export_free_text=switch)
    user = {
        "stranger": lambda: UserFactory(username="stranger"),
        "anonymous": AnonymousUser,
        "superuser": lambda: UserFactory(username="root", is_superuser=True),
        "no account": lambda: None,
    }.get(who, lambda: _member(study, who))()
    assert permissions.study_may_export_free_text(study=study, user=user) is allowed


@pytest.fixture
def study():
    study = gaube_study(slug="free-text", questionnaire_items=ITEMS)
    participant = enrolled_participant(study)
    answer_all(participant)
    services.questionnaire_record(
        participant=participant, answers={"trust": 4, "notes": "Dr Who, ward 3", "why": "busy"}
    )
    services.participant_complete(participant=participant, withdraw=False)
    return study


def _csv(data: bytes) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _export(study, actor, table="participants", file_format="csv") -> bytes:
    handle = io.BytesIO()
    services.study_export(
        study=study, table=table, handle=handle, actor=actor, file_format=file_format
    )
    return handle.getvalue()


@pytest.mark.parametrize(("role", "columns"), [("viewer", LIKERT_ONLY), ("owner", WITH_TEXT)])
def test_the_participants_csv_leaves_free_text_out_of_a_viewers_export(study, role, columns):
    header, (row,) = _csv(_export(study, _member(study, role)))
    assert header == columns
    assert row["q_trust"] == "4"
    assert row.get("q_notes") == ("Dr Who, ward 3" if role == "owner" else None)
    event = AuditEvent.objects.filter(study=study, action="export").latest("id")
    assert event.detail["free_text"] is (role == "owner")


def test_the_owners_switch_gives_viewers_the_free_text(study):
    viewer = _member(study, "viewer")
    services.study_free_text_export_set(study=study, actor=_member(study, "owner"), allowed=True)
    header, (row,) = _csv(_export(study, viewer))
    assert header == WITH_TEXT
    assert (row["q_notes"], row["q_why"]) == ("Dr Who, ward 3", "busy")


def test_a_viewers_parquet_table_has_no_free_text_column(study):
    table = pq.read_table(
        io.BytesIO(_export(study, _member(study, "viewer"), file_format="parquet"))
    )
    assert table.column_names == LIKERT_ONLY
    assert table.column("q_trust").to_pylist() == [4]


def test_a_viewers_bundle_leaves_free_text_out_and_says_which_columns(study):
    with zipfile.ZipFile(io.BytesIO(_export(study, _member(study, "viewer"), "bundle"))) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        header, _rows = _csv(bundle.read("participants.csv"))
        parquet = pq.read_table(io.BytesIO(bundle.read("participants.parquet")))
        codebook = bundle.read("codebook.csv").decode()
        everything = b"".join(bundle.read(name) for name in bundle.namelist())
    assert (manifest["free_text"], manifest["free_text_withheld"]) == (False, ["q_notes", "q_why"])
    assert header == parquet.column_names == LIKERT_ONLY
    assert ("q_trust" in codebook, "q_notes" in codebook, "q_why" in codebook) == (
        True,
        False,
        False,
    )
    assert b"Dr Who" not in everything


def test_an_owners_bundle_has_the_free_text(study):
    with zipfile.ZipFile(io.BytesIO(_export(study, _member(study, "owner"), "bundle"))) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        header, (row,) = _csv(bundle.read("participants.csv"))
    assert (manifest["free_text"], manifest["free_text_withheld"]) == (True, [])
    assert (header, row["q_notes"]) == (WITH_TEXT, "Dr Who, ward 3")


@pytest.mark.parametrize(("switch", "columns"), [(False, LIKERT_ONLY), (True, WITH_TEXT)])
def test_the_console_download_follows_the_rule(client, study, switch, columns):
    study.viewers_may_export_free_text = switch
    study.save()
    client.force_login(_member(study, "viewer"))
    response = client.get(reverse("console:export", args=[study.slug, "participants"]))
    assert response.status_code == 200
    assert _csv(b"".join(response.streaming_content))[0] == columns


@pytest.mark.parametrize(
    ("role", "columns"), [("viewer", LIKERT_ONLY), ("collaborator", WITH_TEXT)]
)
def test_the_api_download_follows_the_rule(client, study, role, columns):
    client.force_login(_member(study, role))
    response = client.get(reverse("api:export", args=[study.slug, "participants"]))
    assert response.status_code == 200
    assert _csv(b"".join(response.streaming_content))[0] == columns


def test_manage_py_export_has_no_account_and_keeps_the_free_text(study, tmp_path):
    output = tmp_path / "participants.csv"
    call_command("export", study=study.slug, file_format="csv", table="participants", output=output)
    header, (row,) = _csv(output.read_bytes())
    assert (header, row["q_why"]) == (WITH_TEXT, "busy")
