"""run_bots on each demo design: the bots answer every response mode the templates have (the
Gaube form, agree/disagree clicks, a category read after training cases with feedback, the
unaided read before the reveal), and the export holds every bot's trials."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from study.models import Participant, Study, Trial

pytestmark = pytest.mark.django_db(transaction=True)

BOTS = 1
# slug, cases per participant, pages per bot: consent, screening, each case (twice with the
# unaided read first, plus a feedback page after each training case), questionnaire, debrief,
# done
# (Gaube 2021 is test_run_bots.py's own demo run.)
DESIGNS = {
    "gaube2023": ("gaube-2023", 8, 13),
    "prinster2024": ("prinster-2024", 8, 13),
    "dratsch2023": ("dratsch-2023", 12, 12 + 2 + 5),
    "reveal": ("reveal-demo", 8, 2 * 8 + 5),
}


def _rows(slug, tmp_path):
    path = tmp_path / "trials.csv"
    call_command(
        "export", "--study", slug, "--format", "csv", "--table", "trials",
        "--include-synthetic", "--output", str(path), stdout=io.StringIO(),
    )  # fmt: skip
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _check_gaube2021(rows):
    assert {row["response_mode"] for row in rows} == {"gaube"}
    assert {row["decision"] for row in rows} <= {"accept", "modify", "reject"}
    assert all(
        row["final_diagnosis"] and row["advice_rating"] and row["confidence"] for row in rows
    )
    assert {row["agreed"] for row in rows} == {""}


def _check_gaube2023(rows):
    _check_gaube2021(rows)
    # the annotation is drawn on 4 of 8 cases of each participant
    for participant in {row["participant"] for row in rows}:
        shown = [row["annotation_shown"] for row in rows if row["participant"] == participant]
        assert sorted(shown) == ["false"] * 4 + ["true"] * 4


def _check_prinster2024(rows):
    assert {row["response_mode"] for row in rows} == {"agree_disagree"}
    assert {row["agreed"] for row in rows} <= {"true", "false"}
    assert all(row["decision_ms"] for row in rows)  # the click's time, server-measured
    assert {row["decision"] for row in rows} == {""}


def _check_dratsch2023(rows):
    assert {row["response_mode"] for row in rows} == {"category"}
    assert all(row["final_diagnosis"] for row in rows)
    assert [row["is_training"] for row in rows].count("true") == 2 * BOTS
    training = Trial.objects.filter(participant__synthetic=True, is_training=True)
    assert training.count() == 2 * BOTS
    assert not training.filter(feedback_seen_at__isnull=True).exists()


def _check_reveal(rows):
    _check_gaube2021(rows)
    assert all(row["unaided_diagnosis"] and row["unaided_confidence"] for row in rows)
    assert all(row["advice_shown_at"] for row in rows)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_bots_complete_each_demo_design_in_its_response_mode(design, tmp_path):
    slug, cases, pages = DESIGNS[design]
    call_command("demo_seed", "--design", design, "--invitations", "1", stdout=io.StringIO())
    concurrency = "2" if connection.vendor == "postgresql" else "1"  # as in test_run_bots

    out = io.StringIO()
    call_command(
        "run_bots", "--study", slug, "--participants", str(BOTS), "--concurrency", concurrency,
        stdout=out,
    )  # fmt: skip

    lines = out.getvalue().splitlines()
    assert re.fullmatch(rf"Bots at \S+: {BOTS} completed, 0 failed, 0 stuck\.", lines[0])
    assert lines[1].startswith(f"Completed bots: {BOTS * pages} pages, ")
    study = Study.objects.get(slug=slug)
    bots = Participant.objects.filter(study=study, synthetic=True)
    assert sorted(bots.values_list("status", flat=True)) == ["completed"] * BOTS
    rows = _rows(slug, tmp_path)
    assert len(rows) == BOTS * cases
    assert {row["participant"] for row in rows} == set(bots.values_list("public_id", flat=True))
    globals()[f"_check_{design}"](rows)
