"""The viewer's window/level source in storage: stored and attached with the other derivatives,
kept while a case points at it, and rendered for cases stored before it existed by the
case_render_sources command (idempotent, one case at a time)."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from study import services
from study.core import imaging
from study.models import Case
from study.services.cases import case_image_store, case_images_discard
from tests.factories import gaube_study
from tests.study.archive_study import archive_bytes, tar_members
from tests.study.core.imaging.radiographs import SECRET
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = pytest.mark.django_db


def _processed(seed: int = 1) -> imaging.ProcessedImage:
    return imaging.dicom_process(
        synthetic_chest_dicom(rows=96, columns=80, seed=seed), filename="s.dcm", uid_secret=SECRET
    )


def _without_source(case: Case) -> Case:
    """A case as it was stored before viewer sources existed."""
    default_storage.delete(case.source_image.name)
    Case.objects.filter(pk=case.pk).update(source_image="", source_window={})
    return Case.objects.get(pk=case.pk)


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("case_render_sources", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_given_an_upload_when_attached_then_the_case_has_its_source_and_window():
    processed = _processed()
    case = gaube_study().cases.first()

    services.case_image_attach(case=case, processed=processed)

    case.refresh_from_db()
    assert case.source_image.name.startswith("cases/source/")
    assert case.source_image.name.endswith(".png")
    assert default_storage.open(case.source_image.name).read() == processed.source_png
    assert case.source_window == {
        **processed.source_window,
        "presets": dict(processed.source_window["presets"]),
    }
    assert set(case.source_window["presets"]) == {p["name"] for p in case.window_presets}


def test_given_a_source_a_case_points_at_when_a_failed_import_discards_then_it_is_kept():
    processed = _processed()
    stored = case_image_store(processed=processed)
    assert stored.source in stored.created
    case = gaube_study().cases.first()
    Case.objects.filter(pk=case.pk).update(source_image=stored.source)

    case_images_discard(images=[stored])

    assert default_storage.exists(stored.source)
    assert not default_storage.exists(stored.display)


def test_given_cases_without_sources_when_the_command_runs_twice_then_each_is_rendered_once():
    processed = _processed()
    study, other = gaube_study(), gaube_study()
    for case in [*study.cases.all(), *other.cases.all()]:
        services.case_image_attach(case=case, processed=processed)
    old = [_without_source(case) for case in study.cases.all()[:2]]
    untouched = _without_source(other.cases.first())

    out, err = _command("--study", study.slug)
    again, _ = _command("--study", study.slug)

    assert out.splitlines() == [
        *(f"{study.slug}/{case.code}: source rendered" for case in sorted(old, key=str)),
        "2 case source(s) rendered.",
    ]
    assert (err, again) == ("", "0 case source(s) rendered.\n")
    for case in old:
        case.refresh_from_db()
        assert default_storage.open(case.source_image.name).read() == processed.source_png
        assert case.source_window["center"] == processed.source_window["center"]
    untouched.refresh_from_db()
    assert untouched.source_image.name == ""


def test_given_a_damaged_stored_dicom_when_the_command_runs_then_the_others_are_rendered():
    processed = _processed()
    study = gaube_study()
    for case in study.cases.all():
        services.case_image_attach(case=case, processed=processed)
    broken, fine = (_without_source(case) for case in study.cases.order_by("code")[:2])
    broken.dicom_file.name = default_storage.save("cases/dicom/broken.dcm", io.BytesIO(b"x" * 200))
    broken.save(update_fields=["dicom_file"])

    with pytest.raises(CommandError, match=rf"1 case\(s\) failed: {study.slug}/{broken.code}$"):
        _command()

    fine.refresh_from_db()
    broken.refresh_from_db()
    assert fine.source_image.name.startswith("cases/source/")
    assert broken.source_image.name == ""


def test_given_an_unknown_study_when_the_command_runs_then_it_says_so():
    with pytest.raises(CommandError, match=r"^No study with slug 'nope'\.$"):
        _command("--study", "nope")


def test_given_a_case_with_a_source_when_the_study_is_archived_then_the_source_file_goes_too():
    processed = _processed()
    study = gaube_study()
    case = services.case_image_attach(case=study.cases.first(), processed=processed)

    members = tar_members(archive_bytes(study))

    assert members[f"media/{case.source_image.name}"] == processed.source_png
