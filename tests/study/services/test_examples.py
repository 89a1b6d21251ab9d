"""The example-image library (services.examples): DICOM, PNG and JPEG examples de-identified
and stored under content-hash names, only a study diagnosis, only in a draft, audited."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from study import services
from study.services.design_versions import design_hash_live
from study.services.examples import example_count, example_image_file, example_images
from tests.factories import UserFactory, enrolled_participant, gaube_study
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="owner")


def _png(size=(120, 80), colour=(40, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_given_a_png_then_it_is_stored_grey_under_a_neutral_content_hash_name(owner):
    study = gaube_study(owner=owner, open_study=False)
    before = design_hash_live(study=study)
    example = services.example_image_add(
        study=study,
        diagnosis="pneumonia",
        filename="pneumonia_patient_smith.png",
        content=_png(),
        actor=owner,
    )
    assert (example.code, example.diagnosis, example.position) == ("example-01", "pneumonia", 0)
    assert (example.image_width, example.image_height) == (120, 80)
    for field, folder in ((example.display_image, "display"), (example.preview_image, "preview")):
        assert field.name.startswith(f"examples/{folder}/")
        assert "pneumonia" not in field.name
        assert "smith" not in field.name
        assert default_storage.exists(field.name)
    with default_storage.open(example.display_image.name) as stored:
        assert Image.open(stored).mode == "L"
    assert study.audit_events.get(action="example.add").detail == {
        "example": "example-01",
        "diagnosis": "pneumonia",
        "size": [120, 80],
    }
    assert design_hash_live(study=study) != before
    assert example_count(study=study) == 1


def test_given_a_dicom_then_it_is_rendered_like_a_case(owner):
    study = gaube_study(owner=owner, open_study=False)
    example = services.example_image_add(
        study=study,
        diagnosis="normal",
        filename="ex.dcm",
        content=synthetic_chest_dicom(rows=256, columns=200),
        code="normal-chest",
    )
    assert (example.code, example.image_width, example.image_height) == ("normal-chest", 200, 256)
    name = example.preview_image.name.rsplit("/", 1)[-1]
    assert name.endswith(".webp")
    assert example_image_file(example=example, name=name) is not None
    assert example_image_file(example=example, name="other.webp") is None


def test_given_a_second_example_of_a_diagnosis_then_it_comes_after_the_first(owner):
    study = gaube_study(owner=owner, open_study=False)
    first = services.example_image_add(
        study=study, diagnosis="normal", filename="a.png", content=_png()
    )
    second = services.example_image_add(
        study=study, diagnosis="normal", filename="b.png", content=_png(colour=(90, 90, 90))
    )
    assert [(e.code, e.position) for e in example_images(study=study)] == [
        (first.code, 0),
        (second.code, 1),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"diagnosis": "flu", "filename": "a.png"},
            "diagnosis 'flu' is not a diagnosis of this study (",
        ),
        ({"filename": "notes.txt", "content": b"not an image"}, "notes.txt: not a PNG or JPEG"),
        ({"filename": "a.png", "code": "Bad Code"}, "code 'Bad Code': use 1 to 40 lower-case"),
        (
            {"filename": "scan.dcm", "content": b"\0" * 128 + b"DICM" + b"\0" * 10},
            "scan.dcm: ",
        ),
    ],
    ids=["diagnosis", "not-an-image", "code", "broken-dicom"],
)
def test_given_a_bad_example_then_it_is_refused_and_nothing_is_stored(owner, kwargs, message):
    study = gaube_study(owner=owner, open_study=False)
    arguments = {"diagnosis": "normal", "content": _png(), **kwargs}
    with pytest.raises(services.ExampleError) as refusal:
        services.example_image_add(study=study, **arguments)
    assert str(refusal.value).startswith(message)
    assert example_count(study=study) == 0
    assert not study.audit_events.filter(action="example.add").exists()


def test_given_a_used_code_then_a_second_example_cannot_take_it(owner):
    study = gaube_study(owner=owner, open_study=False)
    services.example_image_add(
        study=study, diagnosis="normal", filename="a.png", content=_png(), code="one"
    )
    with pytest.raises(services.ExampleError, match="code 'one' is already used"):
        services.example_image_add(
            study=study, diagnosis="normal", filename="b.png", content=_png(), code="one"
        )


def test_given_an_open_or_locked_study_then_the_library_is_frozen(owner):
    study = gaube_study(owner=owner, open_study=False)
    example = services.example_image_add(
        study=study, diagnosis="normal", filename="a.png", content=_png()
    )
    study = services.study_open(study=study)
    with pytest.raises(services.StudyStateError, match="is recruiting: example images can be"):
        services.example_image_add(
            study=study, diagnosis="normal", filename="b.png", content=_png()
        )
    enrolled_participant(study)
    study.refresh_from_db()
    with pytest.raises(services.StudyStateError, match="the example library cannot change"):
        services.example_image_delete(example=example)
    assert example_count(study=study) == 1


def test_given_a_delete_then_the_row_and_its_unshared_files_go(
    owner, django_capture_on_commit_callbacks
):
    study = gaube_study(owner=owner, open_study=False)
    kept = services.example_image_add(
        study=study, diagnosis="normal", filename="a.png", content=_png()
    )
    same_bytes = services.example_image_add(
        study=study, diagnosis="pneumonia", filename="b.png", content=_png()
    )
    other = services.example_image_add(
        study=study, diagnosis="pneumonia", filename="c.png", content=_png(colour=(200, 0, 0))
    )
    assert same_bytes.display_image.name == kept.display_image.name  # one stored copy
    with django_capture_on_commit_callbacks(execute=True):
        services.example_image_delete(example=same_bytes, actor=owner)
        services.example_image_delete(example=other, actor=owner)
    assert default_storage.exists(kept.display_image.name)  # still used by `kept`
    assert not default_storage.exists(other.display_image.name)
    assert not default_storage.exists(other.preview_image.name)
    assert [e.code for e in example_images(study=study)] == [kept.code]
    assert [
        e.detail for e in study.audit_events.filter(action="example.delete").order_by("id")
    ] == [
        {"example": same_bytes.code, "diagnosis": "pneumonia"},
        {"example": other.code, "diagnosis": "pneumonia"},
    ]
