"""What the API tests share: a client holding an account's API token (no session, no CSRF),
accounts in each role of a study, and case archives built in memory."""

import csv
import io
import json
import zipfile

import pydicom
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from study.core.imaging.samples import rg1_variant
from study.demo.designs import DEMOS, demo_cases
from study.models import Study, StudyMembership
from study.services.tokens import api_token_create
from tests.factories import UserFactory
from tests.study.dicom_factory import synthetic_chest_dicom

MANIFEST_COLUMNS = (
    "case",
    "image",
    "vignette",
    "reference_diagnosis",
    "accurate_advice",
    "accurate_diagnosis",
    "inaccurate_advice",
    "inaccurate_diagnosis",
    "training",
    "feedback",
    "accurate_annotation",
    "inaccurate_annotation",
    "accurate_confidence",
    "inaccurate_confidence",
)


def token_client(user) -> APIClient:
    """A client that sends only ``Authorization: Token <key>`` for the account."""
    _, secret = api_token_create(user=user)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def study_starter(username: str):
    """An account that may start studies (study.add_study), as the demo's researcher."""
    user = UserFactory(username=username)
    user.user_permissions.add(Permission.objects.get(codename="add_study"))
    return user


def member(study: Study, username: str, role: str):
    user = UserFactory(username=username)
    StudyMembership.objects.create(study=study, user=user, role=role)
    return user


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _manifest(rows: list[dict]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def small_archive(codes: tuple[str, ...] = ("C1", "C2")) -> bytes:
    """Synthetic radiographs that say BurnedInAnnotation NO: imported without review."""
    rows = [
        {
            "case": code,
            "image": f"images/{code}.dcm",
            "vignette": "A patient.",
            "reference_diagnosis": "pneumonia",
            "accurate_advice": "Consolidation.",
            "accurate_diagnosis": "pneumonia",
            "inaccurate_advice": "Clear lungs.",
            "inaccurate_diagnosis": "normal",
            "training": "false",
        }
        for code in codes
    ]
    images = {
        f"images/{code}.dcm": synthetic_chest_dicom(seed=index, burned_in="NO")
        for index, code in enumerate(codes, start=1)
    }
    return _zip({"manifest.csv": _manifest(rows), **images})


def _dicom_without_burned_in_text(variant: str) -> bytes:
    # The demo's RG1 images leave BurnedInAnnotation out (the console asks for a review);
    # the team that exported them states NO, as a PACS export would.
    dataset = pydicom.dcmread(io.BytesIO(rg1_variant(variant)))
    dataset.BurnedInAnnotation = "NO"
    out = io.BytesIO()
    dataset.save_as(out)
    return out.getvalue()


def demo_archive(design: str = "gaube2021") -> bytes:
    """The demo's cases for a design (study.demo.designs) as a case archive."""
    cases = demo_cases(DEMOS[design])
    rows, images = [], {}
    for item in cases:
        name = f"images/{item.image_variant}.dcm"
        if name not in images:
            images[name] = _dicom_without_burned_in_text(item.image_variant)
        rows.append(
            {
                "case": item.code,
                "image": name,
                "vignette": item.vignette,
                "reference_diagnosis": item.reference_diagnosis,
                "accurate_advice": item.accurate.findings,
                "accurate_diagnosis": item.accurate.diagnosis,
                "inaccurate_advice": item.inaccurate.findings,
                "inaccurate_diagnosis": item.inaccurate.diagnosis,
                "training": "true" if item.is_training else "false",
                "feedback": item.feedback,
                "accurate_annotation": _json(item.accurate.annotation),
                "inaccurate_annotation": _json(item.inaccurate.annotation),
                "accurate_confidence": _number(item.accurate.displayed_confidence),
                "inaccurate_confidence": _number(item.inaccurate.displayed_confidence),
            }
        )
    return _zip({"manifest.csv": _manifest(rows), **images})


def _json(value) -> str:
    return "" if value is None else json.dumps(value)


def _number(value) -> str:
    return "" if value is None else str(value)


def upload(client: APIClient, slug: str, data: bytes, name: str = "cases.zip"):
    archive = io.BytesIO(data)
    archive.name = name
    return client.post(f"/api/studies/{slug}/cases/", {"archive": archive}, format="multipart")
