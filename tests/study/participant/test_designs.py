"""Designs beyond Gaube 2021 run without code changes: read-then-reveal, training cases,
annotations with displayed confidence (DESIGN.md section 1)."""

import csv

import pytest
from django.core.management import call_command
from django.urls import reverse

from study import services
from study.models import Advice, Case
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_given_read_then_reveal_then_the_advice_appears_only_after_the_unaided_read(
    client, tmp_path
):
    study = gaube_study(read_then_reveal=True)
    participant = enrolled_participant(study)
    url = reverse("participant:trial", args=[participant.token, 1])
    trial = participant.trials.select_related("advice").get(position=1)

    first = client.get(url).content.decode()
    assert "Your own read" in first
    assert trial.advice.findings not in first
    assert "CHEST-AI" not in first
    assert "Dr. S. Johnson" not in first

    client.post(url, {"unaided_diagnosis": "normal", "unaided_confidence": "3"})
    revealed = client.get(url).content.decode()
    assert trial.advice.findings.split(".")[0] in revealed
    client.post(
        url,
        {
            "advice_rating": "4",
            "decision": "reject",
            "final_diagnosis": "pneumonia",
            "confidence": "5",
        },
    )
    trial.refresh_from_db()
    assert (trial.unaided_diagnosis, trial.unaided_confidence) == ("normal", 3)
    assert trial.shown_at <= trial.advice_shown_at

    path = tmp_path / "t.csv"
    call_command("export_trials", "--study", study.slug, "--output", str(path))
    (row,) = list(csv.DictReader(path.open()))
    assert (row["unaided_diagnosis"], row["unaided_confidence"]) == ("normal", "3")


def test_given_training_cases_then_they_come_first_accurate_and_labelled_as_training(client):
    study = gaube_study(open_study=False, cases_per_participant=6, inaccurate_per_participant=2)
    Case.objects.filter(study=study, code__in=["C07", "C08"]).update(is_training=True)
    study = services.study_open(study=study)
    participant = enrolled_participant(study)

    trials = list(participant.trials.select_related("case", "advice").order_by("position"))

    assert [t.case.code for t in trials[:2]] == ["C07", "C08"]
    assert all(t.is_training and t.advice.variant == "accurate" for t in trials[:2])
    assert sum(t.advice.variant == "inaccurate" for t in trials[2:]) == 2
    page = client.get(reverse("participant:trial", args=[participant.token, 1]))
    assert "Training case 1 of 2" in page.content.decode()


def test_given_annotations_and_confidence_then_annotated_trials_show_the_overlay(client):
    study = gaube_study(open_study=False, inaccurate_per_participant=2, annotated_per_participant=4)
    Advice.objects.filter(case__study=study).update(
        annotation={"type": "box", "x": 10, "y": 10, "width": 40, "height": 40},
        displayed_confidence=87,
    )
    study = services.study_open(study=study)
    participant = enrolled_participant(study)
    annotated = participant.trials.filter(annotation_shown=True)
    assert annotated.count() == 4

    # Without images the overlay has nothing to sit on; the advice card still says so.
    for trial in participant.trials.order_by("position"):
        html = client.get(reverse("participant:trial", args=[participant.token, trial.position]))
        body = html.content.decode()
        assert "87 %" in body
        assert ("marked region" in body) == trial.annotation_shown
        services.response_record(trial=trial, answer=services.Answer(4, "modify", "normal", 4))


def test_given_an_arrow_annotation_then_the_overlay_draws_a_line_with_an_arrowhead(client):
    from study.core import imaging
    from study.core.imaging.samples import rg1_variant
    from study.models import Case
    from study.services.cases import imaging_uid_secret

    study = gaube_study(open_study=False, annotated_per_participant=8)
    arrow = {"type": "arrow", "x1": 100, "y1": 100, "x2": 400, "y2": 300}
    Advice.objects.filter(case__study=study).update(annotation=arrow)
    processed = imaging.dicom_process(
        rg1_variant("original"), filename="rg1.dcm", uid_secret=imaging_uid_secret()
    )
    for case in Case.objects.filter(study=study):
        services.case_image_attach(case=case, processed=processed)
        services.case_review_confirm(case=case, note="no burned-in text")
    study = services.study_open(study=study)
    participant = enrolled_participant(study)

    body = client.get(reverse("participant:trial", args=[participant.token, 1])).content.decode()

    overlay = body[body.index('<svg class="annotation"') : body.index("</svg>")]
    assert '<line x1="100" y1="100" x2="400" y2="300" marker-end="url(#arrow-head)"/>' in overlay
    head = overlay[overlay.index('<marker id="arrow-head"') : overlay.index("</marker>")]
    assert 'orient="auto"' in head
    assert '<path d="M0,0 L10,5 L0,10 z"/>' in head  # a filled triangle: the head itself
