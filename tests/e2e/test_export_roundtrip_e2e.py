"""Nothing a participant gives is lost: every answer, questionnaire item, client timing and viewer
action of a real-browser walk is in the export bundle, and the analysis package reads it."""

import csv
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from analysis.data import load_trials
from study import demo
from study.models import Study

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LABELS = dict(demo.DIAGNOSES)


def _answer(number: int, advised: str) -> dict:
    decision = ("accept", "modify", "reject")[number % 3]
    final = advised if decision == "accept" else demo.DIAGNOSES[number % len(demo.DIAGNOSES)][0]
    return {
        "advice_rating": number % 7 + 1,
        "decision": decision,
        "final_diagnosis": final,
        "confidence": (number + 2) % 7 + 1,
    }


def _fill(page: Page, answer: dict) -> None:
    page.get_by_role("group", name=re.compile(r"^How would you rate the quality")).get_by_label(
        str(answer["advice_rating"]), exact=True
    ).check()
    label = {"accept": "Accept the advice", "modify": "Slightly modify the advice"}.get(
        answer["decision"], "Reject the advice"
    )
    page.get_by_label(label, exact=True).check()
    if answer["decision"] != "accept":  # accepting chose the advised diagnosis already
        page.get_by_label("Your final diagnosis").select_option(
            label=LABELS[answer["final_diagnosis"]]
        )
    page.get_by_role("group", name=re.compile(r"^How confident are you")).get_by_label(
        str(answer["confidence"]), exact=True
    ).check()


def test_given_a_browser_walk_then_the_bundle_holds_every_value_given(
    page, reference_study, with_images, invitation_url, participant_at, tmp_path
):
    study = with_images(reference_study())
    participant = participant_at(study, "trial")
    advised = {t.position: t.advice.diagnosis for t in participant.trials.select_related("advice")}
    page.goto(invitation_url(participant))

    given = {}
    for number in range(1, 9):
        expect(page).to_have_url(re.compile(rf"/case/{number}/$"))
        for _ in range(number % 3):  # a known number of viewer actions per case
            page.get_by_role("button", name="Zoom in").click()
        given[number] = _answer(number, advised[number])
        _fill(page, given[number])
        page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/questionnaire/$"))
    page.get_by_role(
        "group", name=re.compile(r"^In general, how much do you trust AI")
    ).get_by_label("2", exact=True).check()
    page.get_by_role("group", name=re.compile(r"^How useful was the advice")).get_by_label(
        "5", exact=True
    ).check()
    page.get_by_label("Comments (optional)").fill("Case 3, the rib: hard to see; «ok»")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/debrief/$"))

    path = tmp_path / "bundle.zip"
    call_command(
        "export", "--study", study.slug, "--format", "zip", "--output", str(path),
        stdout=io.StringIO(),
    )  # fmt: skip

    with zipfile.ZipFile(path) as bundle:
        bundle.extractall(tmp_path / "bundle")
        manifest = json.loads(bundle.read("manifest.json"))
        trials = list(csv.DictReader(io.StringIO(bundle.read("trials.csv").decode("utf-8"))))
        people = list(csv.DictReader(io.StringIO(bundle.read("participants.csv").decode("utf-8"))))
    by_position = {int(row["position"]): row for row in trials}
    assert sorted(by_position) == list(range(1, 9))
    for number, answer in given.items():
        row = by_position[number]
        assert {key: row[key] for key in answer} == {k: str(v) for k, v in answer.items()}
        assert row["viewer_zoom"] == str(number % 3), number
        assert int(row["client_response_ms"]) > 0, number
        assert int(row["client_active_ms"]) > 0, number
        assert row["timing_flag"] == "", number
        assert row["advice_shown_at"] != ""
        assert row["design_version"] == "1"
        assert row["synthetic"] == "false"
    (person,) = people
    assert (person["q_ai_attitude"], person["q_advice_usefulness"], person["q_comments"]) == (
        "2",
        "5",
        "Case 3, the rib: hard to see; «ok»",
    )
    assert manifest["design_hash"] == Study.objects.get(pk=study.pk).design_hash
    assert len(load_trials(tmp_path / "bundle" / "trials.csv")) == 8
