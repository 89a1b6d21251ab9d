"""Study builder forms: roles, diagnoses in use, infeasible designs and duplicate codes, each
refused with what is wrong and nothing changed."""

import pytest
from django.urls import reverse

from study import services
from study.core import vocabulary
from study.core.allocation import DesignError
from study.models import StudyMembership
from tests.factories import UserFactory, gaube_study
from tests.study.console.builder_steps import page, settings_post

pytestmark = pytest.mark.django_db


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
