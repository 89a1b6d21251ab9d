"""A study's texts per language on the participant pages: the participant's language comes
from the link (?lang=, until consent) or the study; each text falls back to the study's own;
only the participant's own arm is named; the preview takes ?lang=; translations are hashed;
a case manifest gives them in ``<text>_<language>`` columns."""

import pytest
from django.urls import reverse

from study import services
from study.core.manifest import ManifestError, manifest_parse
from study.models import Advice, Case, Participant, Study, StudyMembership
from tests.factories import RADIOLOGIST, gaube_study
from tests.study.core.imaging.zips import HEADER, manifest_row
from tests.study.translated_studies import translated_study

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit")]


def german(text: str) -> str:
    return f"DE[{text}]"


def _invited(study, lang=None, client=None) -> Participant:
    (participant,) = services.invitations_create(study=study, count=1)
    if lang is not None:
        entry = reverse("participant:entry", args=[participant.token])
        client.get(f"{entry}?lang={lang}")
    return Participant.objects.get(pk=participant.pk)


def _enrolled(client, study, lang):
    participant = _invited(study, lang, client)
    client.post(reverse("participant:consent", args=[participant.token]), {"agree": "yes"})
    participant = services.participant_enrol(
        participant=Participant.objects.get(pk=participant.pk), screening=RADIOLOGIST
    )
    return participant


def test_given_lang_de_then_the_participant_reads_german_texts_of_their_own_arm_only(client):
    study = translated_study(german)
    participant = _enrolled(client, study, "de")
    assert participant.language == "de"
    trial = participant.trials.select_related("case", "advice").get(position=1)
    html = client.get(reverse("participant:trial", args=[participant.token, 1])).content.decode()
    assert '<html lang="de">' in html
    assert german(trial.case.vignette) in html
    assert trial.case.vignette not in html.replace(german(trial.case.vignette), "")
    assert german(trial.advice.findings) in html
    own = participant.arm
    other = study.arms.exclude(pk=own.pk).get()
    assert german(own.label) in html
    for text in (other.label, german(other.label), german(other.persona), other.persona):
        assert text not in html
    assert "inaccurate" not in html.lower()
    assert "Wie bewerten Sie die Qualität dieser Empfehlung?" in html
    diagnosis = study.diagnoses.get(code=trial.advice.diagnosis)
    assert f">{german(diagnosis.label)}</option>" in html


def test_given_no_lang_then_the_same_study_is_english(client):
    study = translated_study(german)
    participant = _enrolled(client, study, None)
    assert participant.language == "en"
    html = client.get(reverse("participant:trial", args=[participant.token, 1])).content.decode()
    assert '<html lang="en">' in html
    assert "DE[" not in html
    assert "How would you rate the quality of this advice?" in html


@pytest.mark.parametrize("lang", ["fr", "", "de%00", "x" * 300, "EN"])
def test_given_a_language_the_study_does_not_offer_then_it_is_ignored(client, lang):
    study = translated_study(german)
    participant = _invited(study)
    response = client.get(reverse("participant:entry", args=[participant.token]) + f"?lang={lang}")
    assert response.status_code == 302
    assert Participant.objects.get(pk=participant.pk).language == ""
    consent = client.get(reverse("participant:consent", args=[participant.token]))
    assert '<html lang="en">' in consent.content.decode()


def test_given_a_german_study_without_translations_then_lang_en_is_ignored(client):
    study = gaube_study(language="de", consent_text="Bitte willigen Sie ein.")
    participant = _invited(study, "en", client)
    html = client.get(reverse("participant:consent", args=[participant.token])).content.decode()
    assert '<html lang="de">' in html
    assert "Information und Einwilligung" in html
    assert "Bitte willigen Sie ein." in html


def test_given_consent_in_german_then_a_later_lang_does_not_change_the_language(client):
    study = translated_study(german)
    participant = _enrolled(client, study, "de")
    client.get(reverse("participant:entry", args=[participant.token]) + "?lang=en")
    assert Participant.objects.get(pk=participant.pk).language == "de"


def test_given_a_missing_translation_then_the_study_s_own_text_is_shown(client):
    study = gaube_study(open_study=False)
    Study.objects.filter(pk=study.pk).update(translations={"de": {"title": "Nur der Titel"}})
    study = services.study_open(study=Study.objects.get(pk=study.pk))
    participant = _invited(study, "de", client)
    html = client.get(reverse("participant:consent", args=[participant.token])).content.decode()
    assert "Nur der Titel" in html
    assert study.consent_text in html  # no German consent given: the study's own


def test_given_the_open_link_with_lang_then_the_new_participant_reads_german(client):
    study = translated_study(german)
    services.self_enrolment_enable(study=study)
    study.refresh_from_db()
    link = reverse("participant:open_link", args=[study.self_enrolment_token])
    page = client.get(f"{link}?lang=de").content.decode()
    assert german(study.title) in page
    assert "Teilnehmen" in page
    response = client.post(f"{link}?lang=de", follow=True)
    assert "Information und Einwilligung" in response.content.decode()
    assert Participant.objects.get(study=study).language == "de"


def test_given_the_preview_with_lang_then_it_renders_german(client):
    study = translated_study(german)
    owner = StudyMembership.objects.get(study=study).user
    client.force_login(owner)
    url = reverse("participant:preview", args=[study.slug])
    html = client.get(f"{url}?page=consent&lang=de").content.decode()
    assert '<html lang="de">' in html
    assert german(study.consent_text.split("\n")[0]) in html
    english = client.get(f"{url}?page=consent&lang=xx").content.decode()
    assert '<html lang="en">' in english
    assert "DE[" not in english
    trial = client.get(f"{url}?page=trial&arm=ai&lang=de").content.decode()
    assert german(study.arms.get(code="ai").label) in trial


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: Study.objects.filter(pk=s.pk).update(translations={"de": {"title": "T"}}),
        lambda s: Study.objects.filter(pk=s.pk).update(language="de"),
        lambda s: Case.objects.filter(study=s).update(translations={"de": {"vignette": "V"}}),
        lambda s: Advice.objects.filter(case__study=s).update(
            translations={"de": {"findings": "F"}}
        ),
    ],
    ids=["study text", "study language", "vignette", "findings"],
)
def test_given_a_draft_when_a_translation_changes_then_the_design_hash_changes(edit):
    study = gaube_study(open_study=False)
    before = services.study_design_hash(study=Study.objects.get(pk=study.pk))
    edit(study)
    assert services.study_design_hash(study=Study.objects.get(pk=study.pk)) != before


def test_given_translated_columns_then_the_manifest_rows_carry_them():
    header = (
        HEADER.strip() + ",vignette_de,feedback_de,accurate_findings_de,inaccurate_findings_de\n"
    )
    data = header + manifest_row("A1", "a.dcm").rstrip("\n") + ",Ein Patient.,,Infiltrat.,\n"
    (row,) = manifest_parse(
        name="manifest.csv",
        data=data.encode(),
        diagnoses={"pneumonia", "normal"},
        images={"a.dcm"},
        languages={"de"},
    )
    assert row.translations == {"de": {"vignette": "Ein Patient."}}
    assert row.accurate_translations == {"de": {"findings": "Infiltrat."}}
    assert row.inaccurate_translations == {}
    with pytest.raises(ManifestError) as refused:
        manifest_parse(
            name="manifest.csv",
            data=data.replace("vignette_de", "vignette_fr").encode(),
            diagnoses={"pneumonia", "normal"},
            images={"a.dcm"},
            languages={"de"},
        )
    assert [str(p) for p in refused.value.problems] == [
        "column 'vignette_fr': 'fr' is not a language this study can be translated into "
        "(offered: de)"
    ]


def test_given_a_translated_study_when_cloned_then_the_clone_has_its_languages():
    from study.services.designs import study_clone

    study = translated_study(german, open_study=False)
    owner = StudyMembership.objects.get(study=study).user
    clone = study_clone(study=study, title="Zweite Welle", slug="zweite-welle", owner=owner)
    clone.refresh_from_db()
    assert (clone.language, clone.translations) == (study.language, study.translations)
    assert sorted(clone.cases.values_list("code", "translations")) == sorted(
        study.cases.values_list("code", "translations")
    )
