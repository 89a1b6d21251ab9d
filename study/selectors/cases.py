"""Case and example images: which stored derivative a public image name stands for (never the
DICOM); names are the stored content-hash names, never a case code or a diagnosis."""

from typing import TypedDict

from django.core.files import File
from django.core.files.storage import default_storage

from study.models import Case, ExampleImage, Study, Trial


class ImagePreset(TypedDict):
    name: str
    label: str
    file: str


class TrialImages(TypedDict):
    preview: str | None
    display: str | None
    presets: list[ImagePreset]
    source: str | None  # the packed 16-bit window/level source (None for older cases)
    source_window: dict | None  # its mapping to modality units (study.core.imaging.source)
    width: int | None
    height: int | None


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def case_image_paths(*, case: Case) -> dict[str, str]:
    """Stored derivative paths of a case by their public file name (never the DICOM)."""
    paths = {}
    for field in (case.display_image, case.preview_image, case.thumbnail_image, case.source_image):
        if field:
            paths[_basename(field.name)] = field.name
    for preset in case.window_presets or []:
        paths[_basename(preset["path"])] = preset["path"]
    return paths


def cases_without_source(*, study: Study | None = None) -> list[Case]:
    """Cases with a de-identified DICOM but no viewer source yet (stored before sources
    existed), in study and code order; only ``study``'s when given."""
    cases = Case.objects.filter(source_image="").exclude(dicom_file="")
    if study is not None:
        cases = cases.filter(study=study)
    return list(cases.select_related("study").order_by("study__slug", "code"))


def case_image_file(*, case: Case, name: str) -> File | None:
    """The storage file behind a public image name of this case, or None."""
    path = case_image_paths(case=case).get(name)
    if path is None:
        return None
    return default_storage.open(path) if default_storage.exists(path) else None


def trial_image_names(*, trial: Trial) -> TrialImages:
    """The public image names of a trial's case (preview first, native, presets, the viewer's
    window/level source) and its size; the participant surface turns names into URLs."""
    case = trial.case
    return {
        "preview": _basename(case.preview_image.name) if case.preview_image else None,
        "display": _basename(case.display_image.name) if case.display_image else None,
        "presets": [
            {
                "name": preset["name"],
                "label": preset.get("label", preset["name"]),
                "file": _basename(preset["path"]),
            }
            for preset in case.window_presets or []
        ],
        "source": _basename(case.source_image.name) if case.source_image else None,
        "source_window": (case.source_window or None) if case.source_image else None,
        "width": case.image_width,
        "height": case.image_height,
    }


class ExampleNames(TypedDict):
    """One example image of the study's library, by its public names."""

    preview: str  # the smaller rendering (the native one when there is none)
    display: str
    width: int
    height: int


def _example_rows(*, study: Study, diagnosis: str) -> list[ExampleImage]:
    return list(study.examples.filter(diagnosis=diagnosis).order_by("position", "code"))


def example_image_names(*, study: Study, diagnosis: str) -> list[ExampleNames]:
    """The example images of ``diagnosis`` in the study's library, in their order: what a
    global-explanation arm shows beside advice suggesting that diagnosis."""
    names: list[ExampleNames] = []
    for example in _example_rows(study=study, diagnosis=diagnosis):
        display = _basename(example.display_image.name)
        preview = _basename(example.preview_image.name) if example.preview_image else display
        names.append(
            {
                "preview": preview,
                "display": display,
                "width": example.image_width,
                "height": example.image_height,
            }
        )
    return names


def example_image_file(*, study: Study, diagnosis: str, name: str) -> File | None:
    """The storage file behind a public name of an example of ``diagnosis``, or None (a name
    of another diagnosis's example is None too)."""
    for example in _example_rows(study=study, diagnosis=diagnosis):
        for field in (example.display_image, example.preview_image):
            if field and _basename(field.name) == name:
                path = field.name
                return default_storage.open(path) if default_storage.exists(path) else None
    return None
