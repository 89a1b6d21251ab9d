"""The instruments page: screening options and questionnaire edited as text, errors naming the
line, saved as audited and hashed design settings, frozen at the first enrolment."""

import pytest
from django.urls import reverse

from study.core import instruments
from study.services.design_versions import design_hash_live
from tests.factories import enrolled_participant, gaube_study
from tests.study.console.builder_steps import page

pytestmark = pytest.mark.django_db


def _form(study, **changes) -> dict:
    options = instruments.screening_parse(study.screening)
    data = {
        name: instruments.options_text(getattr(options, name))
        for name in instruments.SCREENING_LISTS
    }
    data["questionnaire_items"] = instruments.questionnaire_text(
        instruments.questionnaire_parse(study.questionnaire_items)
    )
    return {**data, **changes}


def _url(study) -> str:
    return reverse("console:instruments", args=[study.slug])


def test_given_the_page_then_it_shows_the_study_s_options_and_items_as_text(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    shown = page(owner_client.get(_url(study)))
    assert "radiology = Radiology\ninternal_medicine = Internal medicine" in shown
    assert (
        "ai_attitude | likert | In general, how much do you trust AI systems to support "
        "diagnosis? | 1-7; not at all; completely"
    ) in shown
    assert instruments.QUESTIONNAIRE_TEXT_HELP.replace("'", "&#x27;") in shown
    design = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert f'href="{_url(study)}"' in design


def test_given_the_page_posted_back_unchanged_then_nothing_changes(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(_url(study), _form(study), follow=True)
    assert "Nothing changed." in page(response)
    assert not study.audit_events.filter(action="study.edit").exists()


def test_given_new_instruments_then_they_are_stored_audited_and_hashed(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    before = design_hash_live(study=study)
    response = owner_client.post(
        _url(study),
        _form(
            study,
            training_levels="consultant = Consultant\n\ntrainee = Trainee",
            questionnaire_items=(
                "trust | likert | How much do you trust AI? | 1-5; not at all; fully\n"
                "years | number optional | Years using PACS | 0-60\n"
                "tools | multiple | Tools you use | cad=CAD; dictation=Dictation"
            ),
        ),
    )
    assert response.status_code == 302, page(response)
    study.refresh_from_db()
    assert study.screening["training_levels"] == [
        ["consultant", "Consultant"],
        ["trainee", "Trainee"],
    ]
    assert [item.code for item in instruments.questionnaire_parse(study.questionnaire_items)] == [
        "trust",
        "years",
        "tools",
    ]
    assert study.questionnaire_items[1] == {
        "code": "years",
        "wording": "Years using PACS",
        "type": "number",
        "required": False,
        "scale": [0, 60],
    }
    assert study.audit_events.get(action="study.edit").detail == {
        "fields": ["questionnaire_items", "screening"]
    }
    assert design_hash_live(study=study) != before


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        (
            "specialties",
            "radiology = Radiology\n\nBreast Imaging = Breast imaging",
            "specialties, line 3: code &#x27;Breast Imaging&#x27; must be 1 to 40 lower-case",
        ),
        (
            "experience_bands",
            "0 = Novice\nten = Ten years",
            "experience_bands, line 2: code &#x27;ten&#x27; must be the band&#x27;s lower bound",
        ),
        (
            "prior_ai_use",
            "never = Never\nsometimes",
            "prior_ai_use, line 2: write code = label",
        ),
        (
            "questionnaire_items",
            "a | text | First\n\nb | likert | Second | 1-7; low",
            "line 3: a Likert item&#x27;s details are &#x27;low-high; low anchor; high "
            "anchor&#x27;",
        ),
        (
            "questionnaire_items",
            "a | text | First\nb | choice | Second | Yes=Yes; no=No",
            "line 2: choice 1: code &#x27;Yes&#x27; must be 1 to 40 lower-case",
        ),
        (
            "questionnaire_items",
            "a | text | First\nb | text | Second\na | number | Third",
            "line 3: the code &#x27;a&#x27; is already used on line 1",
        ),
    ],
    ids=["specialty-code", "band-code", "no-equals", "likert", "choice-code", "duplicate"],
)
def test_given_a_bad_line_then_the_error_names_it_at_its_field(
    owner_client, owner, field, text, message
):
    study = gaube_study(owner=owner, open_study=False)
    before = (study.screening, study.questionnaire_items)
    response = owner_client.post(_url(study), _form(study, **{field: text}))
    assert response.status_code == 400
    assert f'<p class="error" id="id_{field}_error">{message}' in page(response)
    study.refresh_from_db()
    assert (study.screening, study.questionnaire_items) == before


def test_given_a_mapped_specialty_removed_then_the_refusal_says_so_at_the_specialties(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)  # maps internal_medicine to a stratum
    response = owner_client.post(
        _url(study),
        _form(study, specialties="radiology = Radiology\nemergency_medicine = Emergency"),
    )
    assert response.status_code == 400
    assert (
        '<p class="error" id="id_specialties_error">stratum_map: &#x27;internal_medicine&#x27; '
        "is not a specialty of this study&#x27;s screening"
    ) in page(response)
    study.refresh_from_db()
    assert [code for code, _ in study.screening["specialties"]][:2] == [
        "radiology",
        "internal_medicine",
    ]


def test_given_a_locked_study_then_the_instruments_are_read_only_and_a_post_is_refused(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    shown = page(owner_client.get(_url(study)))
    assert "the screening and the questionnaire can no longer change" in shown
    assert "Save screening and questionnaire" not in shown
    assert (
        'spellcheck="false" required disabled aria-describedby="id_specialties_helptext"' in shown
    )
    response = owner_client.post(_url(study), _form(study, prior_ai_use="no = No\nyes = Yes"))
    assert response.status_code == 400
    assert f"hash {study.design_hash[:12]}): screening cannot change." in page(response)
    study.refresh_from_db()
    assert [code for code, _ in study.screening["prior_ai_use"]] == [
        "never",
        "occasionally",
        "regularly",
    ]
