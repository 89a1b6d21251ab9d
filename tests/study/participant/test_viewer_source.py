"""The viewer's window/level source on the trial page and the console preview: its URL and
mapping in the viewer's data attributes, served for the trial's own case only."""

import html
import json
import re

import pytest
from django.urls import reverse

from study import services
from study.core import imaging
from study.models import StudyMembership
from tests.factories import RADIOLOGIST, UserFactory, gaube_study
from tests.study.core.imaging.radiographs import SECRET
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = pytest.mark.django_db


def _with_images(study):
    """Every case its own image (seeds differ), so every case has its own source name."""
    for seed, case in enumerate(study.cases.order_by("code"), start=1):
        processed = imaging.dicom_process(
            synthetic_chest_dicom(rows=64, columns=48, seed=seed),
            filename="s.dcm",
            uid_secret=SECRET,
        )
        services.case_image_attach(case=case, processed=processed)
    return study


def _viewer_attributes(page: str) -> dict[str, str]:
    tag = re.search(r"<div class=\"viewer\" data-viewer[^>]*>", page).group(0)
    return {
        name: html.unescape(value) for name, value in re.findall(r'(data-[\w-]+)="([^"]*)"', tag)
    }


def _participant(study):
    (participant,) = services.invitations_create(study=study, count=1)
    services.participant_consent(participant=participant, agreed=True)
    return services.participant_enrol(participant=participant, screening=RADIOLOGIST)


def test_given_a_trial_when_its_page_is_shown_then_the_viewer_gets_its_own_case_source(client):
    study = _with_images(gaube_study())
    participant = _participant(study)
    trial = participant.trials.select_related("case").get(position=1)
    other = study.cases.exclude(pk=trial.case_id).first()

    page = client.get(reverse("participant:trial", args=[participant.token, 1])).content.decode()
    attributes = _viewer_attributes(page)
    source = client.get(attributes["data-source"])
    foreign = reverse(
        "participant:image",
        args=[participant.token, 1, other.source_image.name.rsplit("/", 1)[1]],
    )

    assert attributes["data-source"] == reverse(
        "participant:image",
        args=[participant.token, 1, trial.case.source_image.name.rsplit("/", 1)[1]],
    )
    assert json.loads(attributes["data-source-window"]) == trial.case.source_window
    assert (source.status_code, source["Content-Type"]) == (200, "image/png")
    assert b"".join(source.streaming_content) == trial.case.source_image.open().read()
    assert client.get(foreign).status_code == 404


def test_given_a_case_without_a_source_when_shown_then_the_viewer_has_none(client):
    study = _with_images(gaube_study())
    participant = _participant(study)
    study.cases.update(source_image="", source_window={})

    page = client.get(reverse("participant:trial", args=[participant.token, 1])).content.decode()

    attributes = _viewer_attributes(page)
    assert "data-source" not in attributes
    assert attributes["data-preview"].startswith(f"/p/{participant.token}/image/1/")


def test_given_the_console_preview_when_shown_then_the_viewer_source_is_the_console_image(client):
    viewer = UserFactory(username="viewer")
    client.force_login(viewer)
    study = _with_images(gaube_study())
    StudyMembership.objects.create(study=study, user=viewer, role=StudyMembership.Role.VIEWER)
    case = study.cases.get(code="C01")

    page = client.get(
        reverse("participant:preview", args=[study.slug]), {"page": "trial", "case": "C01"}
    )
    attributes = _viewer_attributes(page.content.decode())
    source = client.get(attributes["data-source"])

    assert page.status_code == 200
    assert attributes["data-source"] == reverse(
        "console:case_image", args=[study.slug, "C01", case.source_image.name.rsplit("/", 1)[1]]
    )
    assert json.loads(attributes["data-source-window"]) == case.source_window
    assert b"".join(source.streaming_content) == case.source_image.open().read()
