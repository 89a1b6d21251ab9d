"""Study builder: a team sets up a design in the console, and it freezes at the first enrolment."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from study import demo, services
from study.console.forms import study_settings_initial
from study.core import vocabulary
from study.core.allocation import DesignError
from study.models import AuditEvent, Study, StudyMembership
from study.services.builder import (
    DEFAULT_CONSENT_TEXT,
    DEFAULT_DEBRIEF_TEXT,
    DESIGN_FIELDS,
    EDITABLE_FIELDS,
    TEXT_FIELDS,
)
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests log in with force_login; a slow hasher would only cost time per account.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner():
    from django.contrib.auth.models import Permission

    user = UserFactory(username="owner")
    user.user_permissions.add(Permission.objects.get(codename="add_study"))
    return user


def test_given_an_account_without_the_add_study_permission_then_it_cannot_start_a_study(client):
    client.force_login(UserFactory(username="plain"))
    response = client.post(reverse("console:study_new"), {"title": "X", "slug": "x"})
    assert response.status_code == 403
    assert not Study.objects.filter(slug="x").exists()


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def settings_post(study: Study, **changes) -> dict:
    """The settings form as the browser posts it: every field, an unchecked box left out."""
    data = {**study_settings_initial(study), **changes}
    return {
        name: "" if value is None else str(value)
        for name, value in data.items()
        if value is not False
    }


def page(response) -> str:
    return response.content.decode()


def add_demo_cases(study: Study) -> None:
    for position, item in enumerate(demo.CASES, start=1):
        services.case_create(
            study=study,
            case_input=services.CaseInput(
                code=item.code,
                vignette=item.vignette,
                reference_diagnosis=item.reference_diagnosis,
                accurate=services.AdviceInput(item.accurate_findings, item.reference_diagnosis),
                inaccurate=services.AdviceInput(
                    item.inaccurate_findings, item.inaccurate_diagnosis
                ),
                position=position,
            ),
        )


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


def test_given_a_locked_design_when_a_design_field_changes_then_it_is_refused_and_nothing_changes(
    owner,
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    events_before, title_before = AuditEvent.objects.count(), study.title
    with pytest.raises(services.StudyStateError) as refusal:
        services.study_design_update(
            study=study, actor=owner, inaccurate_per_participant=3, title="Renamed"
        )
    assert str(refusal.value) == (
        f"The design of study '{study.slug}' is locked since the first enrolment "
        f"({study.design_locked_at:%Y-%m-%d %H:%M} UTC, hash {study.design_hash[:12]}): "
        "inaccurate_per_participant cannot change."
    )
    study.refresh_from_db()
    assert (study.inaccurate_per_participant, study.title) == (2, title_before)
    assert AuditEvent.objects.count() == events_before


def test_given_a_locked_design_then_the_page_shows_the_hash_and_a_crafted_post_changes_nothing(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    url = reverse("console:design", args=[study.slug])
    shown = page(owner_client.get(url))
    assert study.design_hash in shown
    assert 'name="inaccurate_per_participant"' not in shown
    assert 'name="consent_text"' in shown
    owner_client.post(url, settings_post(study, inaccurate_per_participant=3, seed=1))
    study.refresh_from_db()
    assert (study.inaccurate_per_participant, study.seed) == (2, 12345)
    assert not study.audit_events.filter(action="study.edit").exists()


@pytest.mark.parametrize(
    ("url_name", "args", "data"),
    [
        ("console:arm_add", [], {"code": "x", "advice_source": "ai", "label": "X", "weight": "1"}),
        ("console:arm_delete", ["ai"], {}),
        ("console:diagnosis_add", [], {"code": "x", "label": "X", "position": "0"}),
        ("console:diagnosis_delete", ["tuberculosis"], {}),
    ],
)
def test_given_a_locked_design_when_arms_or_diagnoses_change_then_refused(
    owner_client, owner, url_name, args, data
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    response = owner_client.post(reverse(url_name, args=[study.slug, *args]), data, follow=True)
    assert "locked since the first enrolment" in page(response)
    assert study.arms.count() == 2
    assert study.diagnoses.count() == 10


def test_given_a_locked_design_when_texts_change_then_they_are_saved_and_audited(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    response = owner_client.post(
        reverse("console:design", args=[study.slug]),
        settings_post(study, title="Do as AI say", consent_text="Corrected consent."),
    )
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.title, study.consent_text) == ("Do as AI say", "Corrected consent.")
    event = study.audit_events.get(action="study.edit")
    assert event.detail == {"fields": ["consent_text", "title"]}
    assert event.actor == owner


@pytest.mark.parametrize(
    ("method", "url_name", "args"),
    [
        ("post", "console:design", []),
        ("get", "console:arm_add", []),
        ("post", "console:arm_add", []),
        ("post", "console:arm_delete", ["ai"]),
        ("get", "console:diagnosis_edit", ["normal"]),
        ("post", "console:diagnosis_delete", ["tuberculosis"]),
        ("post", "console:membership_add", []),
    ],
)
def test_given_a_viewer_when_they_try_to_edit_then_403_and_nothing_changes(
    client, owner, method, url_name, args
):
    study = gaube_study(owner=owner, open_study=False)
    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role="viewer")
    client.force_login(viewer)
    url = reverse(url_name, args=[study.slug, *args])
    data = {"username": "viewer", "role": "owner", "title": "Hijacked"}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    # A viewer sees the study, so the refusal is a 403, not a pretended 404.
    assert response.status_code == 403
    study.refresh_from_db()
    assert study.title != "Hijacked"
    assert (study.arms.count(), study.diagnoses.count()) == (2, 10)
    assert study.memberships.get(user=viewer).role == "viewer"


def test_given_a_viewer_then_the_design_page_is_read_only(client, owner):
    study = gaube_study(owner=owner, open_study=False)
    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role="viewer")
    client.force_login(viewer)
    shown = page(client.get(reverse("console:design", args=[study.slug])))
    assert "only its owners and collaborators can change it" in shown
    assert "Dr. S. Johnson" in shown
    assert "<form" not in shown.split("<main", 1)[1]


def test_given_a_diagnosis_used_by_cases_when_deleted_then_refused_naming_the_cases(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        reverse("console:diagnosis_delete", args=[study.slug, "pneumonia"]), follow=True
    )
    assert (
        "Diagnosis pneumonia not deleted: Diagnosis &#x27;pneumonia&#x27; cannot be deleted: "
        "it is the reference or advice diagnosis of cases C01, C03. Change those cases first."
    ) in page(response)
    assert study.diagnoses.filter(code="pneumonia").exists()


def test_given_an_unused_diagnosis_when_deleted_then_it_goes_and_is_audited(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    owner_client.post(reverse("console:diagnosis_delete", args=[study.slug, "tuberculosis"]))
    assert not study.diagnoses.filter(code="tuberculosis").exists()
    event = study.audit_events.get(action="diagnosis.delete")
    assert (event.detail, event.actor) == ({"diagnosis": "tuberculosis"}, owner)


def test_given_a_diagnosis_used_by_a_case_when_renamed_then_refused(owner):
    study = gaube_study(owner=owner, open_study=False)
    diagnosis = study.diagnoses.get(code="rib_fracture")
    with pytest.raises(DesignError) as refusal:
        services.diagnosis_save(
            study=study, actor=owner, code="fracture", label="Fracture", diagnosis=diagnosis
        )
    assert str(refusal.value) == (
        "Diagnosis 'rib_fracture' cannot be renamed: it is the reference or advice diagnosis "
        "of case C06. Change those cases first."
    )


@pytest.mark.parametrize(
    ("with_cases", "changes", "message"),
    [
        (
            False,
            {"cases_per_participant": 8, "inaccurate_per_participant": 9},
            "inaccurate_per_participant (9) exceeds cases_per_participant (8)",
        ),
        (
            False,
            {"cases_per_participant": 4, "annotated_per_participant": 5},
            "annotated_per_participant (5) exceeds cases_per_participant (4)",
        ),
        (
            True,
            {"cases_per_participant": 9},
            "cases_per_participant (9) exceeds the number of test cases in the pool (8)",
        ),
    ],
)
def test_given_an_infeasible_design_then_the_page_shows_the_design_error_and_nothing_changes(
    owner_client, owner, with_cases, changes, message
):
    study = gaube_study(owner=owner, open_study=False)
    if not with_cases:
        study.cases.all().delete()
    response = owner_client.post(
        reverse("console:design", args=[study.slug]), settings_post(study, **changes)
    )
    assert response.status_code == 400
    assert message in page(response)
    study.refresh_from_db()
    assert (study.cases_per_participant, study.inaccurate_per_participant) == (8, 2)
    assert study.annotated_per_participant == 0


def test_given_no_stratum_when_saving_settings_then_the_form_says_nobody_can_enrol(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    blank = {f"stratum_{code}": "" for code, _label in vocabulary.SPECIALTIES}
    response = owner_client.post(
        reverse("console:design", args=[study.slug]), settings_post(study, **blank)
    )
    assert response.status_code == 400
    assert "Map at least one specialty to a stratum, or nobody can enrol." in page(response)


def test_given_a_duplicate_arm_code_then_the_form_says_so(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        reverse("console:arm_add", args=[study.slug]),
        {"code": "ai", "advice_source": "human", "label": "Dr. Who", "weight": "1"},
    )
    assert response.status_code == 400
    assert "arm code &#x27;ai&#x27; is already used in this study" in page(response)
    assert study.arms.count() == 2


def test_given_an_owner_when_adding_members_then_roles_apply(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    colleague = UserFactory(username="colleague")
    owner_client.post(
        reverse("console:membership_add", args=[study.slug]),
        {"username": "colleague", "role": "collaborator"},
    )
    assert study.memberships.get(user=colleague).role == "collaborator"
    event = study.audit_events.get(action="membership.add")
    assert event.detail == {"username": "colleague", "role": "collaborator"}
    response = owner_client.post(
        reverse("console:membership_add", args=[study.slug]),
        {"username": "nobody", "role": "viewer"},
        follow=True,
    )
    assert "Member not added: No account with the username &#x27;nobody&#x27;." in page(response)


def test_given_a_collaborator_when_adding_a_member_then_403(client, owner):
    study = gaube_study(owner=owner, open_study=False)
    collaborator = UserFactory(username="collaborator")
    StudyMembership.objects.create(study=study, user=collaborator, role="collaborator")
    UserFactory(username="friend")
    client.force_login(collaborator)
    response = client.post(
        reverse("console:membership_add", args=[study.slug]),
        {"username": "friend", "role": "owner"},
    )
    assert response.status_code == 403
    assert study.memberships.count() == 2


def test_given_a_recruiting_study_before_any_enrolment_when_the_last_arm_goes_then_refused(
    owner,
):
    study = gaube_study(owner=owner)
    services.arm_delete(arm=study.arms.get(code="human"), actor=owner)
    with pytest.raises(DesignError) as refusal:
        services.arm_delete(arm=study.arms.get(code="ai"), actor=owner)
    assert str(refusal.value) == "arms: at least one arm is required"
    assert list(study.arms.values_list("code", flat=True)) == ["ai"]


BOX = {"type": "box", "x": 10, "y": 10, "width": 40, "height": 40}

# DESIGN.md section 1, each as a team would enter it: settings, arms, diagnoses, case counts.
DESIGNS = {
    "gaube_2023": {
        "settings": {"cases_per_participant": 8, "annotated_per_participant": 4},
        "arms": [("ai", "ai", "CHEST-AI"), ("human", "human", "Dr. S. Johnson")],
        "test_cases": 8,
        "training_cases": 0,
        "annotated": True,
    },
    "prinster_2024": {
        "settings": {"cases_per_participant": 8, "inaccurate_per_participant": 2},
        "arms": [("local", "ai", "AI with boxes"), ("global", "ai", "AI with example images")],
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
    for code, source, label in spec["arms"]:
        owner_client.post(
            reverse("console:arm_add", args=[study.slug]),
            {"code": code, "advice_source": source, "label": label, "weight": "1"},
        )
    for code in ("yes", "no"):
        services.diagnosis_save(study=study, actor=owner, code=code, label=code.title())
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


@pytest.fixture
def locked_study(owner):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    return study


UNCHANGED = "<unchanged>"  # a value the test replaces with the study's current one
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
_EDITS = st.fixed_dictionaries(
    {},
    optional={
        "title": _TEXT,
        "description": _TEXT,
        "consent_text": _TEXT,
        "debrief_text": _TEXT,
        "slug": st.sampled_from([UNCHANGED, "renamed"]),
        "cases_per_participant": st.integers(1, 8),
        "inaccurate_per_participant": st.integers(0, 3),
        "order_policy": st.sampled_from(["random", "fixed"]),
        "read_then_reveal": st.booleans(),
        "seed": st.sampled_from([12345, 7]),
        "stratum_map": st.sampled_from([vocabulary.DEFAULT_STRATUM_MAP, {"radiology": "all"}]),
    },
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=_EDITS)
def test_given_a_locked_design_then_any_edit_changes_texts_only_or_nothing(
    locked_study, owner, edits
):
    stored = Study.objects.get(pk=locked_study.pk)
    before = {name: getattr(stored, name) for name in EDITABLE_FIELDS}
    edits = {name: before[name] if value == UNCHANGED else value for name, value in edits.items()}
    design_changes = [n for n in DESIGN_FIELDS if n in edits and edits[n] != before[n]]
    if design_changes:
        with pytest.raises(services.StudyStateError):
            services.study_design_update(study=locked_study, actor=owner, **edits)
        expected = before
    else:
        services.study_design_update(study=locked_study, actor=owner, **edits)
        expected = {**before, **{n: edits[n] for n in TEXT_FIELDS if n in edits}}
    after = Study.objects.get(pk=locked_study.pk)
    assert {name: getattr(after, name) for name in EDITABLE_FIELDS} == expected


def test_given_a_draft_when_its_slug_changes_then_the_page_moves_with_it(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(
        reverse("console:design", args=[study.slug]), settings_post(study, slug="gaube-pilot")
    )
    assert response["Location"] == reverse("console:design", args=["gaube-pilot"])
    assert owner_client.get(response["Location"]).status_code == 200
    assert study.audit_events.get(action="study.edit").detail == {"fields": ["slug"]}
