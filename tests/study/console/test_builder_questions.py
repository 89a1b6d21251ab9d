"""The builder's "Questions on each case" settings and the arm form's explanation and no-advice
control: each saved as posted, each in the design hash, all frozen at the first enrolment."""

import pytest
from django.urls import reverse

from study.models import Study
from study.services.design_versions import design_hash_live
from tests.factories import enrolled_participant, gaube_study
from tests.study.console.builder_steps import page, settings_post

pytestmark = pytest.mark.django_db

# Each new setting, a value other than its default, and how the form posts it.
CHANGES = [
    ("response_mode", "category", "category"),
    ("ask_rating", False, None),
    ("ask_decision", False, None),
    ("ask_diagnosis", False, None),
    ("ask_confidence", False, None),
    ("rating_anchor_low", "useless", "useless"),
    ("rating_anchor_high", "perfect", "perfect"),
    ("confidence_anchor_low", "guessing", "guessing"),
    ("confidence_anchor_high", "certain", "certain"),
    ("confidence_display", "all", "all"),
    ("training_feedback", True, "on"),
]


def _post(client, study: Study, **changes):
    data = settings_post(study)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)  # an unchecked box is not posted
        else:
            data[name] = value
    return client.post(reverse("console:design", args=[study.slug]), data)


@pytest.mark.parametrize(("name", "stored", "posted"), CHANGES, ids=[c[0] for c in CHANGES])
def test_given_a_draft_when_a_question_setting_is_saved_then_it_is_stored_and_hashed(
    owner_client, owner, name, stored, posted
):
    study = gaube_study(owner=owner, open_study=False)
    hash_before = design_hash_live(study=study)
    response = _post(owner_client, study, **{name: posted})
    assert response.status_code == 302, page(response)
    study.refresh_from_db()
    assert getattr(study, name) == stored
    assert design_hash_live(study=study) != hash_before
    assert study.audit_events.get(action="study.edit").detail == {"fields": [name]}


def test_given_the_design_page_then_the_questions_fieldset_says_which_modes_each_applies_to(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    shown = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert "<legend><h3>Questions on each case</h3></legend>" in shown
    assert "Ask accept / slightly modify / reject (Gaube form and category read)" in shown
    assert "Ask the advice quality rating (Gaube form, simple trust and category read)" in shown
    assert '<option value="agree_disagree">Simple trust: agree or disagree (timed)</option>' in (
        shown
    )


def test_given_a_gaube_form_with_every_question_off_then_the_refusal_is_shown_at_the_mode(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    response = _post(
        owner_client,
        study,
        ask_rating=None,
        ask_decision=None,
        ask_diagnosis=None,
        ask_confidence=None,
    )
    assert response.status_code == 400
    assert (
        '<p class="error" id="id_response_mode_error">response_mode: a Gaube form with every '
        "question switched off asks nothing"
    ) in page(response)
    study.refresh_from_db()
    assert study.ask_rating is True


def test_given_an_empty_anchor_then_the_form_refuses_it_at_the_field(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    response = _post(owner_client, study, confidence_anchor_high="")
    assert response.status_code == 400
    assert 'id="id_confidence_anchor_high_error">This field is required.' in page(response)


def test_given_a_locked_study_then_a_posted_question_setting_changes_nothing(owner_client, owner):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    shown = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert 'name="response_mode"' not in shown
    assert '<th scope="row">What each case asks</th><td>Gaube form' in shown
    data = {
        **settings_post(study),
        "response_mode": "agree_disagree",
        "rating_anchor_low": "awful",
        "reason": "try to change the questions",
    }
    owner_client.post(reverse("console:design", args=[study.slug]), data)
    study.refresh_from_db()
    assert (study.response_mode, study.rating_anchor_low) == ("gaube", "very poor")


def test_given_a_custom_specialty_list_then_the_strata_table_lists_its_rows(owner_client, owner):
    study = gaube_study(
        owner=owner,
        open_study=False,
        screening={
            "specialties": [["breast_imaging", "Breast imaging"], ["general", "General radiology"]]
        },
        stratum_map={"breast_imaging": "expert"},
    )
    shown = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert '<label for="id_stratum_breast_imaging">Breast imaging</label>' in shown
    assert '<label for="id_stratum_general">General radiology</label>' in shown
    assert "id_stratum_radiology" not in shown
    data = {**settings_post(study), "stratum_general": "generalist"}
    response = owner_client.post(reverse("console:design", args=[study.slug]), data)
    assert response.status_code == 302, page(response)
    study.refresh_from_db()
    assert study.stratum_map == {"breast_imaging": "expert", "general": "generalist"}


# --- the arm form ---------------------------------------------------------------------------


def test_given_a_no_advice_control_then_it_is_stored_without_label_persona_or_explanation(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        reverse("console:arm_add", args=[study.slug]),
        {
            "code": "control",
            "advice_source": "none",
            "label": "",
            "persona": "An expert.",
            "explanation": "none",
            "weight": "1",
        },
    )
    assert response.status_code == 302, page(response)
    arm = study.arms.get(code="control")
    assert (arm.advice_source, arm.label, arm.persona, arm.explanation) == (
        "none",
        "No advice",
        "",
        "none",
    )
    shown = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert "No advice (control)" in shown
    assert "no advice is shown: participants read the case and give their diagnosis" in shown


def test_given_a_control_with_an_explanation_then_the_form_refuses_it_at_the_explanation(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        reverse("console:arm_add", args=[study.slug]),
        {"code": "control", "advice_source": "none", "explanation": "global", "weight": "1"},
    )
    assert response.status_code == 400
    assert "A no-advice control shows no advice, so it has no explanation" in page(response)
    assert not study.arms.filter(code="control").exists()


def test_given_an_advised_arm_without_a_label_then_the_label_is_required(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        reverse("console:arm_add", args=[study.slug]),
        {"code": "ai2", "advice_source": "ai", "label": "", "weight": "1"},
    )
    assert response.status_code == 400
    assert 'id="id_label_error">Give the source label participants see with the advice' in page(
        response
    )


@pytest.mark.parametrize("explanation", ["local", "global", "none"])
def test_given_an_explanation_in_the_arm_form_then_it_is_stored_and_audited(
    owner_client, owner, explanation
):
    study = gaube_study(owner=owner, open_study=False)
    arm = study.arms.get(code="ai")
    response = owner_client.post(
        reverse("console:arm_edit", args=[study.slug, "ai"]),
        {
            "code": "ai",
            "advice_source": "ai",
            "label": arm.label,
            "persona": arm.persona,
            "explanation": explanation,
            "weight": str(arm.weight),
        },
    )
    assert response.status_code == 302, page(response)
    assert study.arms.get(code="ai").explanation == explanation
    edits = [event.detail for event in study.audit_events.filter(action="arm.edit")]
    assert edits == ([] if explanation == "none" else [{"arm": "ai", "fields": ["explanation"]}])
    edit_page = page(owner_client.get(reverse("console:arm_edit", args=[study.slug, "ai"])))
    assert f'value="{explanation}" id="id_explanation_' in edit_page
