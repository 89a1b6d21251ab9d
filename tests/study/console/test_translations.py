"""The console's languages page and the translations service: one POST saves one language in
one transaction (audited, hashed), a bad input is a 400 naming its field with nothing stored,
and nothing changes once the design is locked. The export records each participant's language."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from study import services
from study.core.translations import TranslationError
from study.models import Advice, AuditEvent, Case, Participant, Study, StudyMembership
from study.services.translations import study_language_set, study_translation_save
from tests.factories import StudyFactory, UserFactory, enrolled_participant, gaube_study
from tests.study.core.imaging.zips import HEADER, manifest_row, zip_bytes
from tests.study.dicom_factory import synthetic_chest_dicom

pytestmark = pytest.mark.django_db


def _url(study, language="de"):
    return reverse("console:translations", args=[study.slug]) + f"?lang={language}"


def _form(client, study) -> dict:
    """The page's translation form as a browser would post it unchanged."""
    response = client.get(_url(study))
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return {"form": "translation", **data}


def _field(form, path: tuple[str, ...]) -> str:
    return next(name for name, where in form.paths.items() if where == path)


def _state(study):
    return (
        Study.objects.get(pk=study.pk).translations,
        list(Case.objects.filter(study=study).values_list("translations", flat=True)),
        list(Advice.objects.filter(case__study=study).values_list("translations", flat=True)),
        AuditEvent.objects.filter(study=study).count(),
    )


@pytest.fixture
def study(owner):
    return gaube_study(owner=owner, open_study=False)


def test_given_german_texts_when_posted_then_they_are_stored_audited_and_hashed(
    owner_client, study
):
    before = services.study_design_hash(study=study)
    page = owner_client.get(_url(study)).context["form"]
    case = study.cases.order_by("position").first()
    data = _form(owner_client, study)
    data[_field(page, ("consent_text",))] = "Bitte willigen Sie ein."
    data[_field(page, ("arms", "ai", "label"))] = "BRUST-KI"
    data[_field(page, ("diagnoses", "pneumonia"))] = "Pneumonie"
    data[_field(page, ("questionnaire", "ai_attitude", "anchors", "low"))] = "gar nicht"
    data[_field(page, ("questionnaire", "ai_attitude", "anchors", "high"))] = "völlig"
    data[_field(page, ("cases", case.code, "vignette"))] = "Ein 54-jähriger Patient."
    data[_field(page, ("cases", case.code, "inaccurate_findings"))] = "Unauffällig."

    response = owner_client.post(_url(study), data)

    assert response.status_code == 302
    study.refresh_from_db()
    assert study.translations == {
        "de": {
            "consent_text": "Bitte willigen Sie ein.",
            "arms": {"ai": {"label": "BRUST-KI"}},
            "diagnoses": {"pneumonia": "Pneumonie"},
            "questionnaire": {"ai_attitude": {"anchors": ["gar nicht", "völlig"]}},
        }
    }
    case.refresh_from_db()
    assert case.translations == {"de": {"vignette": "Ein 54-jähriger Patient."}}
    assert case.advice.get(variant="inaccurate").translations == {
        "de": {"findings": "Unauffällig."}
    }
    assert case.advice.get(variant="accurate").translations == {}
    event = AuditEvent.objects.get(study=study, action="study.translations")
    assert event.detail == {
        "language": "de",
        "fields": [
            "arms.ai.label",
            "consent_text",
            "diagnoses.pneumonia",
            "questionnaire.ai_attitude.anchors",
            f"cases.{case.code}.vignette",
            f"cases.{case.code}.inaccurate_findings",
        ],
    }
    assert services.study_design_hash(study=study) != before
    # Posted back unchanged: nothing is written, no second event.
    again = owner_client.post(_url(study), _form(owner_client, study))
    assert again.status_code == 302
    assert AuditEvent.objects.filter(study=study, action="study.translations").count() == 1


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("title",), "T" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        (("arms", "ai", "label"), "x\x00y", "Null characters are not allowed."),
        (
            ("questionnaire", "ai_attitude", "anchors", "low"),
            "nur eins",
            "de.questionnaire.ai_attitude.anchors: give both anchors, or neither (the item's own "
            "are shown)",
        ),
    ],
)
def test_given_a_bad_text_when_posted_then_400_names_the_field_and_nothing_is_stored(
    owner_client, study, path, value, message
):
    page = owner_client.get(_url(study)).context["form"]
    data = _form(owner_client, study)
    data[_field(page, ("consent_text",))] = "Bitte willigen Sie ein."  # a good one beside it
    name = _field(page, path)
    data[name] = value
    before = _state(study)

    response = owner_client.post(_url(study), data)

    assert response.status_code == 400
    assert response.context["form"].errors[name] == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert _state(study) == before


def test_given_a_case_text_the_service_refuses_then_no_text_of_the_post_is_stored(study):
    researcher = study.memberships.get().user
    case = study.cases.order_by("position").first()
    before = _state(study)
    with pytest.raises(TranslationError) as refusal:
        study_translation_save(
            study=study,
            actor=researcher,
            language="de",
            texts={"title": "Titel"},
            cases={case.code: {"vignette": "Gut.", "accurate_findings": "x" * 20001}},
        )
    assert str(refusal.value) == (
        f"cases.{case.code}.accurate_findings: at most 20000 characters (this one has 20001)"
    )
    assert _state(study) == before


@pytest.mark.parametrize("language", ["en", "fr", "%00"])
def test_given_a_language_that_cannot_be_translated_into_then_the_page_is_a_404(
    owner_client, study, language
):
    assert owner_client.get(_url(study, language)).status_code == 404


def test_given_a_locked_design_then_translations_and_the_language_are_refused(owner_client, study):
    study = services.study_open(study=study)
    enrolled_participant(study)
    data = _form(owner_client, study)
    page = owner_client.get(_url(study)).context["form"]
    data[_field(page, ("title",))] = "Neuer Titel"
    before = _state(study)

    response = owner_client.post(_url(study), data)

    assert response.status_code == 400
    assert "translations cannot change." in response.content.decode()
    assert _state(study) == before
    language = owner_client.post(_url(study), {"form": "language", "language": "de"})
    assert language.status_code == 400
    assert "the study&#x27;s language cannot change." in language.content.decode()
    assert Study.objects.get(pk=study.pk).language == "en"


def test_given_the_language_form_then_the_study_language_changes_and_is_audited(
    owner_client, study
):
    response = owner_client.post(_url(study), {"form": "language", "language": "de"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.language == "de"
    assert AuditEvent.objects.get(study=study, action="study.language").detail == {
        "language": "de",
        "previous": "en",
    }
    bad = owner_client.post(_url(study, "en"), {"form": "language", "language": "xx"})
    assert bad.status_code == 400
    assert "Select a valid choice. xx is not one of the available choices." in bad.content.decode()


def test_given_translations_into_a_language_then_it_cannot_become_the_study_s_own(study):
    researcher = study.memberships.get().user
    Study.objects.filter(pk=study.pk).update(translations={"de": {"title": "Titel"}})
    with pytest.raises(TranslationError) as refusal:
        study_language_set(study=study, actor=researcher, language="de")
    assert str(refusal.value).startswith("language: the study has translations into de;")


def test_given_a_viewer_then_the_page_is_read_only_and_a_post_is_forbidden(client, study):
    viewer = UserFactory(username="viewer")
    study.memberships.create(user=viewer, role="viewer")
    client.force_login(viewer)
    response = client.get(_url(study))
    assert response.status_code == 200
    assert all(field.disabled for field in response.context["form"].fields.values())
    assert client.post(_url(study), {"form": "translation"}).status_code == 403


def test_given_participants_in_two_languages_then_the_export_records_each_language(client):
    study = gaube_study(open_study=False)
    Study.objects.filter(pk=study.pk).update(translations={"de": {"title": "Titel"}})
    study = services.study_open(study=Study.objects.get(pk=study.pk))
    tokens = {}
    for language in ("de", "en"):
        (participant,) = services.invitations_create(study=study, count=1)
        entry = reverse("participant:entry", args=[participant.token])
        client.get(f"{entry}?lang={language}")
        client.post(reverse("participant:consent", args=[participant.token]), {"agree": "yes"})
        services.participant_enrol(
            participant=Participant.objects.get(pk=participant.pk),
            screening=services.Screening(
                specialty="radiology",
                training_level="attending",
                years_experience=5,
                prior_ai_use="never",
            ),
        )
        tokens[Participant.objects.get(pk=participant.pk).public_id] = language
    handle = io.BytesIO()
    services.study_export(study=study, table="participants", handle=handle)
    rows = list(csv.DictReader(io.StringIO(handle.getvalue().decode("utf-8"))))
    assert {row["participant"]: row["language"] for row in rows} == tokens


def test_given_an_archive_with_german_columns_then_the_cases_store_them(owner_client, owner):
    study = StudyFactory(cases_per_participant=1, inaccurate_per_participant=0)
    study.diagnoses.create(code="pneumonia", label="Pneumonia", position=0)
    study.diagnoses.create(code="normal", label="Normal", position=1)
    study.memberships.create(user=owner, role=StudyMembership.Role.OWNER)
    header = HEADER.strip() + ",vignette_de,inaccurate_findings_de\n"
    manifest = header + manifest_row("A1", "a.dcm").rstrip("\n") + ",Ein Patient.,Unauffällig.\n"
    archive = zip_bytes({"manifest.csv": manifest.encode(), "a.dcm": synthetic_chest_dicom(seed=1)})
    upload = SimpleUploadedFile("cases.zip", archive, content_type="application/zip")
    response = owner_client.post(reverse("console:cases", args=[study.slug]), {"archive": upload})
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    case = Case.objects.get(study=study, code="A1")
    assert case.translations == {"de": {"vignette": "Ein Patient."}}
    assert case.advice.get(variant="inaccurate").translations == {
        "de": {"findings": "Unauffällig."}
    }
    assert case.advice.get(variant="accurate").translations == {}
