"""A text's length rule applies to the text as stored, after Unicode NFC normalisation.

U+0958 (DEVANAGARI LETTER QA) is one character typed and two once normalised (a composition
exclusion: NFC keeps it decomposed). Before: a title of 200 typed U+0958 passed the form's
max_length, was normalised to 400 characters and then refused by PostgreSQL's varchar(200), a
DataError and a 500 (SQLite does not enforce lengths). Now the service refuses it with the
field and its limit, each surface answers 400 with that message, and nothing is written.

Arm labels and personas and diagnosis labels were stored as typed (no 500, but not in the one
spelling the builder's other texts are stored in); they are now stored normalised too, so the
same limit rule applies to them.
"""

# The console's fixtures (owner, owner_client) are imported to be used here: F811 is pytest's
# fixture injection, not a redefinition.
# ruff: noqa: F811

import pytest
from django.urls import reverse

from study import services
from study.core.text import TextTooLong
from study.models import Arm, AuditEvent, DiagnosisOption, Study
from study.services.amendments import AmendmentError, design_amend
from tests.factories import enrolled_participant, gaube_study
from tests.study.console.builder_steps import settings_post
from tests.study.console.conftest import _fast_password_hashing, owner, owner_client  # noqa: F401

# Where the bug showed; the two tests of what is stored run on SQLite too.
pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.usefixtures("on_postgres")

QA = "\u0958"  # NFC: U+0915 U+093C
TITLE_REFUSED = "Title: at most 200 characters (this one has 400 after Unicode normalisation)."
LABEL_REFUSED = "Label: at most 100 characters (this one has 200 after Unicode normalisation)."
DIAGNOSIS_REFUSED = "Label: at most 120 characters (this one has 240 after Unicode normalisation)."


def _events(study: Study) -> list[str]:
    return list(AuditEvent.objects.filter(study=study).values_list("action", flat=True))


@postgres_only
def test_given_a_new_study_whose_title_normalises_past_200_then_400_and_no_study(owner_client):
    response = owner_client.post(
        reverse("console:study_new"), {"title": QA * 200, "slug": "lengthened"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"title": [TITLE_REFUSED]}
    assert not Study.objects.filter(slug="lengthened").exists()


def test_given_a_new_study_whose_title_is_200_once_normalised_then_it_is_created(owner_client):
    response = owner_client.post(reverse("console:study_new"), {"title": QA * 100, "slug": "fits"})

    assert response.status_code == 302
    assert Study.objects.get(slug="fits").title == "\u0915\u093c" * 100


@postgres_only
def test_given_draft_settings_whose_title_normalises_past_200_then_400_and_nothing_changes(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False, title="Before")
    before = _events(study)

    response = owner_client.post(
        reverse("console:design", args=[study.slug]), settings_post(study, title=QA * 200)
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"title": [TITLE_REFUSED]}
    assert Study.objects.get(pk=study.pk).title == "Before"
    assert _events(study) == before


@postgres_only
def test_given_an_amendment_whose_title_normalises_past_200_then_400_and_no_version(
    owner_client, owner
):
    study = gaube_study(owner=owner, title="Before")
    enrolled_participant(study)
    before = _events(study)

    response = owner_client.post(
        reverse("console:design", args=[study.slug]),
        settings_post(study, title=QA * 200, reason="Retitled."),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"title": [TITLE_REFUSED]}
    study.refresh_from_db()
    assert study.title == "Before"
    assert study.design_versions.count() == 1
    assert _events(study) == before


@postgres_only
def test_given_an_api_amendment_whose_title_normalises_past_200_then_400_and_no_version(
    client, owner
):
    study = gaube_study(owner=owner, title="Before")
    enrolled_participant(study)
    before = _events(study)
    client.force_login(owner)

    response = client.post(
        reverse("api:amendments", args=[study.slug]),
        {"reason": "Retitled.", "title": QA * 200},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "title": [
            "Ensure this field has no more than 200 characters "
            "(counted after Unicode NFC normalisation)."
        ]
    }
    study.refresh_from_db()
    assert study.title == "Before"
    assert study.design_versions.count() == 1
    assert _events(study) == before


@postgres_only
def test_given_design_amend_with_a_title_normalising_past_200_then_refused_at_the_title(owner):
    # The API's serializer checks the title first; the service refuses it too, for every caller.
    study = gaube_study(owner=owner, title="Before")
    enrolled_participant(study)

    with pytest.raises(AmendmentError) as refusal:
        design_amend(study=study, actor=owner, reason="Retitled.", title=QA * 200)

    assert (str(refusal.value), refusal.value.field) == (TITLE_REFUSED, "title")
    study.refresh_from_db()
    assert study.title == "Before"
    assert study.design_versions.count() == 1


@postgres_only
@pytest.mark.parametrize("code", ["ai", None], ids=["edit", "add"])
def test_given_an_arm_label_normalising_past_100_then_400_and_the_arms_unchanged(
    owner_client, owner, code
):
    study = gaube_study(owner=owner, open_study=False)
    arms_before = list(Arm.objects.filter(study=study).order_by("code").values())
    before = _events(study)
    url = (
        reverse("console:arm_edit", args=[study.slug, code])
        if code
        else reverse("console:arm_add", args=[study.slug])
    )

    response = owner_client.post(
        url, {"code": code or "third", "advice_source": "ai", "label": QA * 100, "weight": 1}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"label": [LABEL_REFUSED]}
    assert list(Arm.objects.filter(study=study).order_by("code").values()) == arms_before
    assert _events(study) == before


@postgres_only
@pytest.mark.parametrize("code", ["pneumonia", None], ids=["edit", "add"])
def test_given_a_diagnosis_label_normalising_past_120_then_400_and_the_options_unchanged(
    owner_client, owner, code
):
    study = gaube_study(owner=owner, open_study=False)
    options_before = list(DiagnosisOption.objects.filter(study=study).order_by("code").values())
    before = _events(study)
    url = (
        reverse("console:diagnosis_edit", args=[study.slug, code])
        if code
        else reverse("console:diagnosis_add", args=[study.slug])
    )

    response = owner_client.post(
        url, {"code": code or "sarcoidosis", "label": QA * 120, "position": 3}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"label": [DIAGNOSIS_REFUSED]}
    options = list(DiagnosisOption.objects.filter(study=study).order_by("code").values())
    assert options == options_before
    assert _events(study) == before


def test_given_labels_that_fit_once_normalised_then_they_are_stored_normalised(owner):
    study = gaube_study(owner=owner, open_study=False)
    arm = study.arms.get(code="ai")

    services.arm_save(
        study=study,
        actor=owner,
        arm=arm,
        code="ai",
        advice_source="ai",
        label=QA * 50,
        persona="One.\r\nTwo.  ",
    )
    services.diagnosis_save(study=study, actor=owner, code="sarcoidosis", label=QA * 60)

    arm.refresh_from_db()
    assert (arm.label, arm.persona) == ("\u0915\u093c" * 50, "One.\nTwo.")
    assert study.diagnoses.get(code="sarcoidosis").label == "\u0915\u093c" * 60


@postgres_only
def test_given_study_create_with_a_title_normalising_past_200_then_refused(owner):
    with pytest.raises(TextTooLong) as refusal:
        services.study_create(title=QA * 200, slug="lengthened", owner=owner)

    assert (str(refusal.value), refusal.value.field) == (TITLE_REFUSED, "title")
    assert not Study.objects.filter(slug="lengthened").exists()
