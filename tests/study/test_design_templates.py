"""The five design templates (study.core.design_templates) and studies made from them
(study.services.designs.study_from_template): the published parameters, stored as settings."""

import dataclasses

import pytest

from study.core import allocation, design_templates, instruments
from study.core.design_templates import TEMPLATES, UnknownTemplate, template_get
from study.demo import content
from study.models import AuditEvent, Study
from study.services.design_rules import DESIGN_FIELDS
from study.services.designs import study_from_template
from study.services.studies import study_design_spec
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAMES = ["gaube2021", "gaube2023", "prinster2024", "dratsch2023", "reveal"]
CHEST = [code for code, _label in content.DIAGNOSES]
BIRADS = ["birads1", "birads2", "birads3", "birads4", "birads5"]


def test_the_five_templates_of_the_design_space():
    assert list(TEMPLATES) == NAMES
    assert list(design_templates.TEMPLATE_NAMES) == NAMES


def test_every_setting_is_a_design_field_and_no_slug_or_seed():
    for template in TEMPLATES.values():
        assert set(template.settings) <= set(DESIGN_FIELDS) - {"slug", "seed"}


def test_an_unknown_template_is_refused_listing_the_known_ones():
    with pytest.raises(UnknownTemplate) as error:
        template_get("gaube2022")
    assert str(error.value) == (
        "unknown design template 'gaube2022': the templates are gaube2021, gaube2023, "
        "prinster2024, dratsch2023, reveal"
    )


def _created(name, slug=None):
    owner = UserFactory()
    study = study_from_template(template=name, title=f"From {name}", slug=slug or name, owner=owner)
    return Study.objects.get(pk=study.pk), owner


def _arms(study):
    return list(
        study.arms.order_by("code").values_list("code", "advice_source", "label", "explanation")
    )


def _diagnoses(study):
    return list(study.diagnoses.order_by("position").values_list("code", flat=True))


def test_gaube2021_two_source_labels_8_cases_2_inaccurate_radiology_vs_im_em():
    study, _owner = _created("gaube2021")
    assert _arms(study) == [
        ("ai", "ai", "CHEST-AI", "none"),
        ("human", "human", "Dr. S. Johnson", "none"),
    ]
    personas = dict(study.arms.values_list("code", "persona"))
    assert personas == {arm["code"]: arm["persona"] for arm in content.ARMS}
    assert (study.cases_per_participant, study.inaccurate_per_participant) == (8, 2)
    assert study.annotated_per_participant == 0
    assert (study.response_mode, study.rating_scale_max, study.confidence_scale_max) == (
        "gaube",
        7,
        7,
    )
    assert study.stratify_by == "specialty"
    assert study.stratum_map == {
        "radiology": "radiology",
        "internal_medicine": "non_radiology",
        "emergency_medicine": "non_radiology",
    }
    assert _diagnoses(study) == CHEST
    assert study.consent_text == content.CONSENT_TEXT
    assert "deliberately wrong" in study.debrief_text


def test_gaube2023_local_annotation_in_half_the_cases_all_advice_accurate():
    study, _owner = _created("gaube2023")
    assert _arms(study) == [
        ("ai", "ai", "CHEST-AI", "local"),
        ("human", "human", "Dr. S. Johnson", "local"),
    ]
    assert (study.cases_per_participant, study.inaccurate_per_participant) == (8, 0)
    assert study.annotated_per_participant == 4
    assert "deliberately wrong" not in study.debrief_text
    assert "marked a region on the image" in study.debrief_text


def test_prinster2024_local_vs_global_ai_arms_agree_disagree_with_ai_confidence():
    study, _owner = _created("prinster2024")
    assert _arms(study) == [
        ("global", "ai", "CHEST-AI", "global"),
        ("local", "ai", "CHEST-AI", "local"),
    ]
    assert study.response_mode == "agree_disagree"
    assert (study.ask_rating, study.ask_confidence) == (False, False)
    assert study.confidence_display == "ai"
    assert (study.cases_per_participant, study.inaccurate_per_participant) == (8, 2)
    assert study.annotated_per_participant == 8
    assert _diagnoses(study) == CHEST


def test_dratsch2023_birads_category_read_40_cases_12_inaccurate_training_feedback():
    study, _owner = _created("dratsch2023")
    assert _arms(study) == [("ai", "ai", "MAMMO-AI", "none")]
    assert study.response_mode == "category"
    assert (study.ask_rating, study.ask_decision, study.ask_confidence) == (False, False, False)
    assert (study.cases_per_participant, study.inaccurate_per_participant) == (40, 12)
    assert study.training_feedback is True
    assert study.stratify_by == "years_experience"
    assert study.stratum_map == {
        "0": "inexperienced",
        "5": "moderately_experienced",
        "10": "very_experienced",
        "20": "very_experienced",
    }
    assert _diagnoses(study) == BIRADS
    items = [item.code for item in instruments.questionnaire_parse(study.questionnaire_items)]
    assert items == ["mammograms_per_year", "ai_attitude", "advice_usefulness", "comments"]
    assert "10 training cases" in template_get("dratsch2023").description


def test_reveal_reads_then_reveals_in_the_gaube_form():
    study, _owner = _created("reveal")
    assert study.read_then_reveal is True
    assert study.response_mode == "gaube"
    assert (study.cases_per_participant, study.inaccurate_per_participant) == (8, 2)


@pytest.mark.parametrize("name", NAMES)
def test_each_template_study_is_a_draft_whose_design_validates(name):
    study, owner = _created(name)
    assert study.status == Study.Status.DRAFT
    assert study.memberships.get().user == owner
    spec = study_design_spec(study=study)
    # Cases come later (imported): with a pool of the required size the design is feasible.
    pool = tuple(f"c{i}" for i in range(study.cases_per_participant))
    allocation.design_validate(dataclasses.replace(spec, cases=pool))
    events = AuditEvent.objects.filter(study=study, action="study.from_template")
    assert [event.detail["template"] for event in events] == [name]
    assert AuditEvent.objects.filter(study=study, action="study.create").count() == 1


def test_two_studies_from_one_template_do_not_share_their_settings():
    first, _owner = _created("dratsch2023", slug="first")
    first.stratum_map["0"] = "changed"
    first.save()
    second, _owner = _created("dratsch2023", slug="second")
    assert second.stratum_map["0"] == "inexperienced"
    assert design_templates.DRATSCH2023.settings["stratum_map"]["0"] == "inexperienced"


def test_a_taken_slug_is_refused_and_nothing_is_created():
    _created("gaube2021", slug="taken")
    with pytest.raises(allocation.DesignError) as error:
        _created("reveal", slug="taken")
    assert str(error.value) == "“taken” is already used by another study."
    assert Study.objects.filter(slug="taken").count() == 1


def test_an_unknown_template_creates_nothing():
    with pytest.raises(UnknownTemplate):
        _created("nope")
    assert not Study.objects.exists()
