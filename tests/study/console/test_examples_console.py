"""The console's example-image page: upload by diagnosis, thumbnails served to the study's
researchers only, delete; refusals shown on the page with a 4xx."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from study.models import StudyMembership
from study.services.examples import example_images
from tests.factories import UserFactory, gaube_study
from tests.study.console.builder_steps import page, png_upload

pytestmark = pytest.mark.django_db


def _url(study) -> str:
    return reverse("console:examples", args=[study.slug])


def test_given_an_upload_then_the_page_lists_it_under_its_diagnosis_with_a_thumbnail(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        _url(study), {"diagnosis": "pneumonia", "image": png_upload("lobar.png")}, follow=True
    )
    assert "Example image example-01 added." in page(response)
    (example,) = example_images(study=study)
    preview = example.preview_image.name.rsplit("/", 1)[-1]
    image_url = reverse("console:example_image", args=[study.slug, example.code, preview])
    shown = page(response)
    assert f'<img src="{image_url}" alt="Example image example-01 of Pneumonia"' in shown
    assert 'Pneumonia <span class="hint">(1 image)</span>' in shown
    served = owner_client.get(image_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    design = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert f'href="{_url(study)}"' in design


def test_given_a_non_image_then_the_page_says_why_and_nothing_is_added(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 not an image")
    response = owner_client.post(_url(study), {"diagnosis": "normal", "image": upload})
    assert response.status_code == 400
    assert "report.pdf: not a PNG or JPEG image (the file could not be read)" in page(response)
    assert example_images(study=study) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"diagnosis": "normal"}, "Image file (DICOM, PNG or JPEG): Choose an image file"),
        ({"diagnosis": "flu", "image": True}, "Diagnosis the image shows: Select a valid choice."),
    ],
    ids=["no-file", "unknown-diagnosis"],
)
def test_given_a_bad_form_then_it_is_refused_with_400(owner_client, owner, data, message):
    study = gaube_study(owner=owner, open_study=False)
    if data.get("image") is True:
        data = {**data, "image": png_upload()}
    response = owner_client.post(_url(study), data)
    assert response.status_code == 400
    assert message in page(response)
    assert example_images(study=study) == []


def test_given_an_example_when_deleted_in_the_console_then_it_is_gone(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    owner_client.post(_url(study), {"diagnosis": "normal", "image": png_upload()})
    (example,) = example_images(study=study)
    response = owner_client.post(
        reverse("console:example_delete", args=[study.slug, example.code]), follow=True
    )
    assert f"Example image {example.code} deleted." in page(response)
    assert example_images(study=study) == []


def test_given_an_open_study_then_the_library_is_frozen_on_the_page(owner_client, owner):
    study = gaube_study(owner=owner)
    shown = page(owner_client.get(_url(study)))
    assert "so the example library is frozen" in shown
    response = owner_client.post(_url(study), {"diagnosis": "normal", "image": png_upload()})
    assert response.status_code == 400
    assert "is recruiting: example images can be added only while it is a draft." in page(response)


def test_given_a_stranger_or_a_viewer_then_images_are_for_the_study_s_researchers_only(
    client, owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    owner_client.post(_url(study), {"diagnosis": "normal", "image": png_upload()})
    (example,) = example_images(study=study)
    name = example.display_image.name.rsplit("/", 1)[-1]
    image_url = reverse("console:example_image", args=[study.slug, example.code, name])
    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    assert client.get(image_url).status_code == 404
    StudyMembership.objects.create(study=study, user=stranger, role="viewer")
    assert client.get(image_url).status_code == 200
    wrong = reverse("console:example_image", args=[study.slug, example.code, "x.png"])
    assert client.get(wrong).status_code == 404
    assert (
        client.post(_url(study), {"diagnosis": "normal", "image": png_upload()}).status_code == 403
    )
    client.logout()
    assert client.get(image_url).status_code == 302  # to the sign-in page
