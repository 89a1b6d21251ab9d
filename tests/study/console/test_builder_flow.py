"""Study builder: a team sets up a design in the console step by step, every step audited, and
every reference design of DESIGN.md section 1 opens and allocates."""

import pytest
from django.urls import reverse

from study import demo, services
from study.core import vocabulary
from study.models import Study, StudyMembership
from study.services.builder import (
    DEFAULT_CONSENT_TEXT,
    DEFAULT_DEBRIEF_TEXT,
)
from tests.factories import UserFactory, enrolled_participant, gaube_study
from tests.study.console.builder_steps import add_demo_cases, page, png_upload, settings_post

pytestmark = pytest.mark.django_db


def test_given_an_account_without_the_add_study_permission_then_it_cannot_start_a_study(client):
    client.force_login(UserFactory(username="plain"))
    response = client.post(reverse("console:study_new"), {"title": "X", "slug": "x"})
    assert response.status_code == 403
    assert not Study.objects.filter(slug="x").exists()


def test_given_the_console_when_a_team_builds_gaube_2021_then_it_opens_and_allocates_6_plus_2(
    owner_client, owner
):
    # given a new study created from the console
    response = owner_client.post(
        reverse("console:study_new"), {"title": "Do as AI say", "slug": "gaube-2021"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:design", args=["gaube-2021"])
    study = Study.objects.get(slug="gaube-2021")
    assert study.status == Study.Status.DRAFT
    assert study.consent_text == DEFAULT_CONSENT_TEXT
    assert study.memberships.get().role == StudyMembership.Role.OWNER
    draft_page = page(owner_client.get(response["Location"]))
    assert "Before the study can open:</strong> arms: at least one arm is required" in draft_page
    # when the team sets the design: 8 cases, 2 inaccurate, 7-point scales, 2 arms, 10 diagnoses
    response = owner_client.post(
        reverse("console:design", args=[study.slug]),
        settings_post(
            study,
            consent_text=demo.CONSENT_TEXT,
            debrief_text=demo.DEBRIEF_TEXT,
            cases_per_participant=8,
            inaccurate_per_participant=2,
            stratum_radiology="radiology",
            stratum_internal_medicine="non_radiology",
            stratum_emergency_medicine="non_radiology",
            stratum_other="",
        ),
    )
    assert response.status_code == 302
    for arm in demo.ARMS:
        response = owner_client.post(
            reverse("console:arm_add", args=[study.slug]), {**arm, "weight": "1"}
        )
        assert response.status_code == 302
    for position, (code, label) in enumerate(demo.DIAGNOSES):
        response = owner_client.post(
            reverse("console:diagnosis_add", args=[study.slug]),
            {"code": code, "label": label, "position": str(position)},
        )
        assert response.status_code == 302
    add_demo_cases(study)
    opened = owner_client.post(reverse("console:study_open", args=[study.slug]), follow=True)
    # then it recruits, and a participant gets 8 cases of which exactly 2 have inaccurate advice
    assert "The study is recruiting." in page(opened)
    study.refresh_from_db()
    assert study.status == Study.Status.RECRUITING
    assert study.stratum_map == vocabulary.DEFAULT_STRATUM_MAP
    assert list(study.arms.values_list("code", "advice_source", "label")) == [
        ("ai", "ai", "CHEST-AI"),
        ("human", "human", "Dr. S. Johnson"),
    ]
    assert list(study.diagnoses.values_list("code", "label")) == demo.DIAGNOSES
    participant = enrolled_participant(study)
    variants = list(participant.trials.values_list("advice__variant", flat=True))
    assert len(variants) == 8
    assert variants.count("inaccurate") == 2
    assert participant.trials.first().source_label in {"CHEST-AI", "Dr. S. Johnson"}


def test_given_a_built_study_then_each_step_is_audited_with_its_fields(owner_client, owner):
    owner_client.post(reverse("console:study_new"), {"title": "Audit me", "slug": "audit-me"})
    study = Study.objects.get(slug="audit-me")
    owner_client.post(
        reverse("console:design", args=[study.slug]),
        settings_post(study, cases_per_participant=10, read_then_reveal=True),
    )
    owner_client.post(
        reverse("console:arm_add", args=[study.slug]),
        {"code": "ai", "advice_source": "ai", "label": "CHEST-AI", "weight": "2"},
    )
    owner_client.post(
        reverse("console:arm_edit", args=[study.slug, "ai"]),
        {"code": "ai", "advice_source": "ai", "label": "LUNG-AI", "weight": "2"},
    )
    events = list(study.audit_events.order_by("id").values_list("action", "detail", "actor"))
    assert events == [
        ("study.create", {"slug": "audit-me", "seed": study.seed}, owner.pk),
        ("study.edit", {"fields": ["cases_per_participant", "read_then_reveal"]}, owner.pk),
        (
            "arm.create",
            {
                "arm": "ai",
                "fields": {
                    "code": "ai",
                    "advice_source": "ai",
                    "label": "CHEST-AI",
                    "persona": "",
                    "weight": 2,
                    "explanation": "none",
                },
            },
            owner.pk,
        ),
        ("arm.edit", {"arm": "ai", "fields": ["label"]}, owner.pk),
    ]


def test_given_study_create_then_the_seed_is_drawn_at_random_unless_given(owner):
    drawn = services.study_create(title="A", slug="a", owner=owner)
    given = services.study_create(title="B", slug="b", owner=owner, seed=42)
    assert 0 <= drawn.seed < 2**31
    assert given.seed == 42
    assert given.debrief_text == DEFAULT_DEBRIEF_TEXT
    assert given.stratum_map == vocabulary.DEFAULT_STRATUM_MAP


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("new", "“new” is reserved by the console; choose another."),
        ("taken", "“taken” is already used by another study."),
        ("Not A Slug", "Use only lower-case letters, digits, hyphens and underscores."),
    ],
)
def test_given_a_bad_slug_when_creating_a_study_then_the_field_says_why(
    owner_client, owner, slug, message
):
    services.study_create(title="Taken", slug="taken", owner=owner)
    response = owner_client.post(reverse("console:study_new"), {"title": "X", "slug": slug})
    assert response.status_code == 400
    assert message in page(response)
    # the input points at its hint and its error, and both exist on the page
    assert 'aria-describedby="id_slug_helptext id_slug_error"' in page(response)
    assert f'<p class="error" id="id_slug_error">{message}</p>' in page(response)
    assert Study.objects.count() == 1


BOX = {"type": "box", "x": 10, "y": 10, "width": 40, "height": 40}

# DESIGN.md section 1, each as a team would enter it: settings, arms, diagnoses, case counts.
DESIGNS = {
    "gaube_2023": {
        "settings": {"cases_per_participant": 8, "annotated_per_participant": 4},
        "arms": [("ai", "ai", "CHEST-AI", "local"), ("human", "human", "Dr. S. Johnson", "local")],
        "test_cases": 8,
        "training_cases": 0,
        "annotated": True,
    },
    "prinster_2024": {
        "settings": {"cases_per_participant": 8, "inaccurate_per_participant": 2},
        "arms": [
            ("local", "ai", "AI with boxes", "local"),
            ("global", "ai", "AI with example images", "global"),
            ("control", "none", "", "none"),
        ],
        "test_cases": 8,
        "training_cases": 0,
        "confidence": 87.0,
    },
    "dratsch_2023": {
        "settings": {
            "cases_per_participant": 40,
            "inaccurate_per_participant": 12,
            "order_policy": "fixed",
            "stratum_internal_medicine": "",
            "stratum_emergency_medicine": "",
        },
        "arms": [("ai", "ai", "AI-based system")],
        "test_cases": 40,
        "training_cases": 10,
    },
    "read_then_reveal": {
        "settings": {
            "cases_per_participant": 8,
            "inaccurate_per_participant": 2,
            "read_then_reveal": True,
            "confidence_scale_max": 5,
        },
        "arms": [("ai", "ai", "CHEST-AI"), ("human", "human", "Dr. S. Johnson")],
        "test_cases": 8,
        "training_cases": 0,
    },
}


@pytest.mark.parametrize("name", list(DESIGNS))
def test_given_a_design_of_section_1_when_built_in_the_console_then_it_opens_and_allocates(
    owner_client, owner, name
):
    spec = DESIGNS[name]
    owner_client.post(reverse("console:study_new"), {"title": name, "slug": name})
    study = Study.objects.get(slug=name)
    saved = owner_client.post(
        reverse("console:design", args=[study.slug]), settings_post(study, **spec["settings"])
    )
    assert saved.status_code == 302
    for code, source, label, *explanation in spec["arms"]:
        added = owner_client.post(
            reverse("console:arm_add", args=[study.slug]),
            {
                "code": code,
                "advice_source": source,
                "label": label,
                "weight": "1",
                "explanation": explanation[0] if explanation else "none",
            },
        )
        assert added.status_code == 302
    for code in ("yes", "no"):
        services.diagnosis_save(study=study, actor=owner, code=code, label=code.title())
        if any(arm[-1] == "global" for arm in spec["arms"]):
            owner_client.post(
                reverse("console:examples", args=[study.slug]),
                {"diagnosis": code, "image": png_upload(f"example-{code}.png")},
            )
    n_test, n_training = spec["test_cases"], spec["training_cases"]
    for index in range(n_training + n_test):
        advice = {
            "annotation": BOX if spec.get("annotated") else None,
            "displayed_confidence": spec.get("confidence"),
        }
        services.case_create(
            study=study,
            case_input=services.CaseInput(
                code=f"K{index:02d}",
                vignette="A vignette.",
                reference_diagnosis="yes",
                accurate=services.AdviceInput("Findings.", "yes", **advice),
                inaccurate=services.AdviceInput("Findings.", "no", **advice),
                is_training=index < n_training,
                position=index,
            ),
        )
    study = services.study_open(study=study, actor=owner)
    participant = enrolled_participant(study)
    trials = list(participant.trials.select_related("advice").order_by("position"))
    settings = spec["settings"]
    assert len(trials) == n_training + n_test
    assert all(trial.is_training for trial in trials[:n_training])
    assert sum(t.advice.variant == "inaccurate" for t in trials) == settings.get(
        "inaccurate_per_participant", 0
    )
    assert sum(t.annotation_shown for t in trials) == settings.get("annotated_per_participant", 0)
    assert study.read_then_reveal == settings.get("read_then_reveal", False)
    assert study.confidence_scale_max == settings.get("confidence_scale_max", 7)
    arms = {code: explanation for code, _source, _label, *explanation in spec["arms"]}
    assert dict(study.arms.values_list("code", "explanation")) == {
        code: explanation[0] if explanation else "none" for code, explanation in arms.items()
    }


def test_given_a_draft_when_its_slug_changes_then_the_page_moves_with_it(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        reverse("console:design", args=[study.slug]), settings_post(study, slug="gaube-pilot")
    )
    assert response["Location"] == reverse("console:design", args=["gaube-pilot"])
    assert owner_client.get(response["Location"]).status_code == 200
    assert study.audit_events.get(action="study.edit").detail == {"fields": ["slug"]}
