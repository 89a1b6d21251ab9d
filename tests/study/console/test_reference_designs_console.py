"""Each design template, tried as a new user would in the console (issue 10, "done when"): a
study made from the template, its cases imported as one zip with a manifest in the template's
own diagnosis list (training cases and their feedback included, each advice variant with its
own annotation and confidence), example images uploaded where an arm shows them, opens; and a
participant's enrolment gets what the design promised."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from study import services
from study.core import design_templates, questions
from study.models import Case, Study
from tests.factories import RADIOLOGIST
from tests.study.core.imaging.zips import zip_bytes
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = pytest.mark.django_db

_IMAGE = synthetic_chest_dicom(rows=256, columns=224)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (64, 48), color=128).save(buffer, format="PNG")
    return buffer.getvalue()


_PNG = _png()


def _manifest(template: design_templates.DesignTemplate, *, training: int) -> bytes:
    """Enough test cases for the design, plus ``training`` training cases with feedback; the
    two variants of each case mark different regions and show different confidences."""
    codes = [code for code, _label in template.diagnoses]
    buffer = io.StringIO()
    columns = [
        *("case", "image", "vignette", "reference_diagnosis", "accurate_advice"),
        *("accurate_diagnosis", "inaccurate_advice", "inaccurate_diagnosis", "training"),
        *("feedback", "accurate_annotation", "inaccurate_annotation", "accurate_confidence"),
        "inaccurate_confidence",
    ]
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    total = template.settings["cases_per_participant"] + training
    for number in range(total):
        reference, wrong = codes[number % len(codes)], codes[(number + 1) % len(codes)]
        writer.writerow(
            {
                "case": f"K{number + 1:02d}",
                "image": f"k{number + 1:02d}.dcm",
                "vignette": f"Patient {number + 1}, referred for a read.",
                "reference_diagnosis": reference,
                "accurate_advice": "Findings consistent with the suggested diagnosis.",
                "accurate_diagnosis": reference,
                "inaccurate_advice": "Findings suggesting another diagnosis.",
                "inaccurate_diagnosis": wrong,
                "training": "true" if number >= total - training else "false",
                "feedback": "Look at the marked region first."
                if number >= total - training
                else "",
                "accurate_annotation": json.dumps(
                    {"type": "box", "x": 20, "y": 30, "width": 60, "height": 50}
                ),
                "inaccurate_annotation": json.dumps(
                    {"type": "arrow", "x1": 180, "y1": 200, "x2": 140, "y2": 150}
                ),
                "accurate_confidence": str(90 - number % 20),
                "inaccurate_confidence": str(70 + number % 20),
            }
        )
    return buffer.getvalue().encode()


@pytest.mark.parametrize("name", design_templates.TEMPLATE_NAMES)
def test_given_a_template_when_built_in_the_console_then_it_opens_and_enrols_as_designed(
    name, owner_client, owner
):
    template = design_templates.template_get(name)
    created = owner_client.post(
        reverse("console:study_from_template"),
        {"template": name, "title": f"My {template.title}", "slug": f"my-{name}"},
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    study = Study.objects.get(slug=f"my-{name}")

    training = 2 if study.training_feedback else 0
    files = {"manifest.csv": _manifest(template, training=training)}
    total = study.cases_per_participant + training
    files.update({f"k{number + 1:02d}.dcm": _IMAGE for number in range(total)})
    imported = owner_client.post(
        reverse("console:cases", args=[study.slug]),
        {"archive": SimpleUploadedFile("cases.zip", zip_bytes(files))},
    )
    assert imported.status_code in (200, 302), imported.content.decode()[:3000]
    assert Case.objects.filter(study=study).count() == total
    assert Case.objects.filter(study=study, is_training=True).count() == training
    for case in Case.objects.filter(study=study, review_status="needs_review"):
        services.case_review_confirm(case=case, actor=owner, note="synthetic test image")

    if study.arms.filter(explanation="global").exists():
        advised = sorted(
            set(Case.objects.filter(study=study).values_list("advice__diagnosis", flat=True))
        )
        for code in advised:
            uploaded = owner_client.post(
                reverse("console:examples", args=[study.slug]),
                {"diagnosis": code, "image": SimpleUploadedFile("ex.png", _PNG)},
            )
            assert uploaded.status_code in (200, 302), uploaded.content.decode()[:2000]
        assert study.examples.count() == len(advised)

    opened = owner_client.post(reverse("console:study_open", args=[study.slug]), follow=True)
    study.refresh_from_db()
    assert study.status == Study.Status.RECRUITING, opened.content.decode()[:3000]

    (participant,) = services.invitations_create(study=study, count=1)
    participant = services.participant_consent(participant=participant, agreed=True)
    screening = RADIOLOGIST
    if study.stratify_by != "specialty":
        screening = services.Screening(**{**RADIOLOGIST.__dict__, "years_experience": 12})
    participant = services.participant_enrol(participant=participant, screening=screening)
    trials = list(participant.trials.select_related("advice", "case").order_by("position"))
    assert len(trials) == total
    assert [t.is_training for t in trials] == [True] * training + [False] * (total - training)
    test_trials = [t for t in trials if not t.is_training]
    inaccurate = sum(t.advice.variant == "inaccurate" for t in test_trials)
    assert inaccurate == study.inaccurate_per_participant
    arm = participant.arm
    annotated = sum(t.annotation_shown for t in test_trials)
    expected = study.annotated_per_participant if arm.explanation == "local" else 0
    assert annotated == expected
    promised = questions.confidence_shown(
        display=study.confidence_display, advice_source=arm.advice_source, has_confidence=True
    )
    assert [t.confidence_shown for t in trials] == [promised] * total
