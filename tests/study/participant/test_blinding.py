"""Blinding: nothing a participant can reach tells which advice is inaccurate, the reference
diagnosis, or the other arm's label (pages, headers, URLs, image files and their metadata)."""

import re
import struct

import pytest
from django.urls import reverse

from study import services
from study.core import imaging
from study.core.imaging.samples import rg1_variant
from study.models import Participant
from study.services.cases import imaging_uid_secret
from tests.factories import RADIOLOGIST, gaube_study

pytestmark = pytest.mark.django_db

# Words that would give the manipulation away before the debrief.
_TELLTALES = re.compile(r"inaccurate|accurate|incorrect|variant|reference|ground.truth|wrong", re.I)


def _attach_images(study):
    processed = imaging.dicom_process(
        rg1_variant("original"), filename="rg1.dcm", uid_secret=imaging_uid_secret()
    )
    for case in study.cases.all():
        services.case_image_attach(case=case, processed=processed)
        services.case_review_confirm(case=case)


def _enrol(study):
    (participant,) = services.invitations_create(study=study, count=1)
    services.participant_consent(participant=participant, agreed=True)
    return services.participant_enrol(participant=participant, screening=RADIOLOGIST)


def _answer_until(participant, position):
    for trial in participant.trials.select_related("advice").filter(position__lt=position):
        trial = services.trial_show(trial=trial)
        services.response_record(
            trial=trial, answer=services.Answer(4, "accept", trial.advice.diagnosis, 4)
        )


def _png_text_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunks.append(kind)
        offset += 12 + length
    return [kind for kind in chunks if kind in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME")]


def _riff_metadata_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WEBP"
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        kind = data[offset : offset + 4]
        (length,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        chunks.append(kind)
        offset += 8 + length + (length & 1)
    return [kind for kind in chunks if kind in (b"EXIF", b"XMP ")]


def _normalise(html: str, participant: Participant) -> str:
    html = html.replace(participant.token, "TOKEN")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r"/case/\d+/", "/case/N/", html)
    html = re.sub(r"/image/\d+/", "/image/N/", html)
    html = re.sub(r"Case \d+ of 8", "Case N of 8", html)
    html = re.sub(r'value="\d+" aria-labelledby="progress-label"', "PROGRESS", html)
    html = re.sub(r"\d+ of 8 cases answered", "K of 8 cases answered", html)
    return re.sub(r'<article class="advice-card".*?</article>', "ADVICE", html, flags=re.S)


def _pair_with_both_variants(study):
    """Two participants of one arm and a case that one sees accurate and the other inaccurate."""
    participants = [_enrol(study) for _ in range(6)]
    for first in participants:
        for second in participants:
            if first.arm_id != second.arm_id or first == second:
                continue
            for trial in first.trials.filter(advice__variant="accurate"):
                other = second.trials.get(case=trial.case)
                if other.advice.variant == "inaccurate":
                    return (first, trial), (second, other)
    raise AssertionError("the allocation gave no pair; the design changed?")


def test_given_one_case_with_accurate_and_inaccurate_advice_then_pages_differ_only_in_advice(
    client,
):
    study = gaube_study()
    _attach_images(study)
    (accurate_participant, accurate_trial), (inaccurate_participant, inaccurate_trial) = (
        _pair_with_both_variants(study)
    )
    pages = []
    for participant, trial in (
        (accurate_participant, accurate_trial),
        (inaccurate_participant, inaccurate_trial),
    ):
        _answer_until(participant, trial.position)
        url = reverse("participant:trial", args=[participant.token, trial.position])
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert trial.advice.findings.split(".")[0] in html
        pages.append(_normalise(html, participant))

    assert pages[0] == pages[1]


def test_given_a_whole_participation_then_no_page_header_url_or_image_gives_the_design_away(
    client,
):
    study = gaube_study()
    _attach_images(study)
    participant = _enrol(study)
    other_arm = study.arms.exclude(pk=participant.arm_id).get()
    reachable: list[tuple[str, object]] = []

    def visit(method, url, data=None):
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        reachable.append((url, response))
        return response

    visit("get", reverse("participant:entry", args=[participant.token]))
    labels = dict(study.diagnoses.values_list("code", "label"))
    for trial in participant.trials.select_related("case", "advice").order_by("position"):
        url = reverse("participant:trial", args=[participant.token, trial.position])
        page = visit("get", url)
        visit("post", url, {"decision": "accept"})  # invalid: the page is re-rendered
        html = page.content.decode()
        # The reference diagnosis is one option among all; nothing preselects or marks it.
        select = html.split('name="final_diagnosis"')[1].split("</select>")[0]
        assert re.findall(r'<option value="([^"]*)" selected', select) == [""]
        for image_url in set(re.findall(r'(?:src|data-\w+)="(/p/[^"]+/image/[^"]+)"', html)):
            visit("get", image_url)
        visit(
            "post",
            url,
            {
                "advice_rating": "4",
                "decision": "accept",
                "final_diagnosis": trial.advice.diagnosis,
                "confidence": "4",
            },
        )
        assert labels[trial.advice.diagnosis] in html
    visit("get", reverse("participant:questionnaire", args=[participant.token]))
    visit(
        "post",
        reverse("participant:questionnaire", args=[participant.token]),
        {"ai_attitude": "4", "advice_usefulness": "4"},
    )
    debrief = visit("get", reverse("participant:debrief", args=[participant.token]))
    visit("post", reverse("participant:debrief", args=[participant.token]), {"choice": "keep"})
    visit("get", reverse("participant:done", args=[participant.token]))

    images = [(url, r) for url, r in reachable if "/image/" in url]
    assert len(images) >= 8
    for url, response in reachable:
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for secret in (other_arm.label, other_arm.persona):
            assert secret not in url
            assert secret not in headers
        assert not _TELLTALES.search(url)
        assert not _TELLTALES.search(headers)
        if "/image/" in url:
            body = b"".join(response.streaming_content)
            assert response["Content-Type"] in ("image/png", "image/webp")
            assert "Content-Disposition" not in response
            for secret in (other_arm.label, "accurate", "Johnson", "CHEST-AI"):
                assert secret.encode() not in body
            if body.startswith(b"\x89PNG"):
                assert _png_text_chunks(body) == []
            else:
                assert _riff_metadata_chunks(body) == []
            continue
        html = response.content.decode()
        assert other_arm.label not in html
        assert other_arm.persona not in html
        if response is not debrief:  # the debrief discloses the manipulation, never which case
            assert not _TELLTALES.search(html), (url, _TELLTALES.search(html).group(0))
        assert "data-case" not in html
        assert "reference" not in url
    debrief_html = debrief.content.decode()
    assert "deliberately wrong" in debrief_html
    for case in study.cases.all():
        assert case.code not in debrief_html
