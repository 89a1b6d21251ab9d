"""The example-image library: reference images of a diagnosis, shown beside the advice in arms
with a global explanation.

Rule: an example is stored as a case image is: de-identified (a DICOM through
study.core.imaging, a PNG or JPEG re-encoded from its pixels by study.core.imaging.pictures)
and under a content-hash name, never the upload's name or the diagnosis. The library changes
only while the study is a draft (it is part of the hashed design); every change is audited.
The two reads at the end serve the console page (they live here with the library's one
storage rule until a selectors module takes them).
"""

import re

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from study.core import imaging
from study.core.imaging.pictures import PictureError, picture_process
from study.models import ExampleImage, Study

from .audit import Actor, audit_record
from .cases import _store, imaging_uid_secret
from .design_rules import locked_refuse
from .studies import StudyStateError

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class ExampleError(ValueError):
    """An example image that cannot be added; the message says why (and names the file)."""


def _draft_required(study: Study, what: str) -> None:
    locked_refuse(study=study, what="the example library")
    if study.status != Study.Status.DRAFT:
        raise StudyStateError(
            f"Study '{study.slug}' is {study.status}: example images can be {what} only while "
            "it is a draft."
        )


def _is_dicom(content: bytes, filename: str) -> bool:
    return content[128:132] == b"DICM" or filename.lower().endswith((".dcm", ".dicom"))


def _rendered(content: bytes, filename: str) -> tuple[bytes, bytes, int, int]:
    """(display PNG, preview WebP, width, height) of the upload; ExampleError when unusable."""
    try:
        if _is_dicom(content, filename):
            processed = imaging.dicom_process(
                content, filename=filename, uid_secret=imaging_uid_secret()
            )
            return (
                processed.display_png,
                processed.preview_webp,
                processed.width,
                processed.height,
            )
        picture = picture_process(content, filename=filename)
    except (imaging.DicomError, PictureError) as error:
        raise ExampleError(str(error)) from error
    return picture.display_png, picture.preview_webp, picture.width, picture.height


def _next_code(study: Study) -> str:
    taken = set(study.examples.values_list("code", flat=True))
    number = len(taken) + 1
    while f"example-{number:02d}" in taken:
        number += 1
    return f"example-{number:02d}"


@transaction.atomic
def example_image_add(
    *,
    study: Study,
    diagnosis: str,
    filename: str,
    content: bytes,
    actor: Actor = None,
    code: str | None = None,
) -> ExampleImage:
    """Add one example image of ``diagnosis`` (a study diagnosis) to the library."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    _draft_required(study, "added")
    diagnoses = set(study.diagnoses.values_list("code", flat=True))
    if diagnosis not in diagnoses:
        known = ", ".join(sorted(diagnoses)) or "none defined"
        raise ExampleError(f"diagnosis '{diagnosis}' is not a diagnosis of this study ({known})")
    if code is not None:
        if not _CODE.fullmatch(code):
            raise ExampleError(
                f"code '{code[:60]}': use 1 to 40 lower-case letters, digits, - or _"
            )
        if study.examples.filter(code=code).exists():
            raise ExampleError(f"code '{code}' is already used by another example image")
    display_png, preview_webp, width, height = _rendered(bytes(content), filename)
    display, wrote_display = _store("display", display_png, ".png", root="examples")
    written = [display] if wrote_display else []
    try:  # what this call wrote goes again if the row is not saved after all
        preview, wrote_preview = _store("preview", preview_webp, ".webp", root="examples")
        written += [preview] if wrote_preview else []
        last = study.examples.filter(diagnosis=diagnosis).order_by("-position").first()
        example = ExampleImage.objects.create(
            study=study,
            code=code or _next_code(study),
            diagnosis=diagnosis,
            position=last.position + 1 if last is not None else 0,
            display_image=display,
            preview_image=preview,
            image_width=width,
            image_height=height,
        )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    # Not the file name: an upload's name may carry a patient's.
    audit_record(
        action="example.add",
        study=study,
        actor=actor,
        detail={"example": example.code, "diagnosis": diagnosis, "size": [width, height]},
    )
    return example


@transaction.atomic
def example_image_delete(*, example: ExampleImage, actor: Actor = None) -> None:
    """Remove an example image; its files go too unless another example (a clone's) uses them."""
    study = Study.objects.select_for_update().get(pk=example.study_id)
    _draft_required(study, "deleted")
    names = [name for name in (example.display_image.name, example.preview_image.name) if name]
    code, diagnosis = example.code, example.diagnosis
    example.delete()
    for name in names:
        shared = ExampleImage.objects.filter(display_image=name).exists() or (
            ExampleImage.objects.filter(preview_image=name).exists()
        )
        if not shared:
            transaction.on_commit(lambda name=name: default_storage.delete(name))
    audit_record(
        action="example.delete",
        study=study,
        actor=actor,
        detail={"example": code, "diagnosis": diagnosis},
    )


def example_images(*, study: Study) -> list[ExampleImage]:
    """The study's example library, by diagnosis and position."""
    return list(study.examples.order_by("diagnosis", "position", "code"))


def example_count(*, study: Study) -> int:
    return study.examples.count()


def example_image_file(*, example: ExampleImage, name: str) -> File | None:
    """The stored file behind a public image name of this example (its display PNG or preview
    WebP, by content-hash file name), or None."""
    for field in (example.display_image, example.preview_image):
        if field and field.name.rsplit("/", 1)[-1] == name and default_storage.exists(field.name):
            return default_storage.open(field.name)
    return None
