"""Training cases chosen in the builder: each case marked training or test with its feedback
text, audited, in the design hash, and refused once the study is no longer a draft."""

import pytest
from django.urls import reverse

from study import services
from study.services.design_versions import design_hash_live
from tests.factories import enrolled_participant, gaube_study
from tests.study.console.builder_steps import page

pytestmark = pytest.mark.django_db


def _url(study, code: str) -> str:
    return reverse("console:case_training", args=[study.slug, code])


def test_given_a_draft_when_a_case_is_marked_training_with_feedback_then_it_is_stored(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    case = study.cases.order_by("position").first()
    before = design_hash_live(study=study)
    response = owner_client.post(
        _url(study, case.code), {"is_training": "on", "feedback": "Look at the\r\nleft base."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.is_training, case.feedback) == (True, "Look at the\nleft base.")
    assert study.audit_events.get(action="case.training").detail == {
        "case": case.code,
        "fields": ["is_training", "feedback"],
        "is_training": True,
    }
    assert design_hash_live(study=study) != before
    shown = page(owner_client.get(reverse("console:cases", args=[study.slug])))
    assert f'id="training-{case.code}" checked>' in shown
    assert "Look at the\nleft base.</textarea>" in shown


def test_given_a_training_case_when_unticked_then_it_is_a_test_case_again(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    case = study.cases.first()
    services.case_training_set(case=case, is_training=True, feedback="x", actor=owner)
    response = owner_client.post(_url(study, case.code), {"feedback": "x"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_training is False
    events = study.audit_events.filter(action="case.training").order_by("id")
    assert [event.detail["fields"] for event in events] == [
        ["is_training", "feedback"],
        ["is_training"],
    ]


def test_given_the_same_values_then_nothing_is_audited(owner):
    study = gaube_study(owner=owner, open_study=False)
    case = study.cases.first()
    services.case_training_set(case=case, is_training=False, feedback="", actor=owner)
    assert not study.audit_events.filter(action="case.training").exists()


def test_given_an_open_study_then_training_cannot_change(owner_client, owner):
    study = gaube_study(owner=owner)
    case = study.cases.first()
    response = owner_client.post(_url(study, case.code), {"is_training": "on", "feedback": "x"})
    assert response.status_code == 400
    assert (
        f"Case {case.code} not saved: Study &#x27;{study.slug}&#x27; is recruiting: training "
        "cases and their feedback can change only while it is a draft."
    ) in page(response)
    enrolled_participant(study)
    study.refresh_from_db()
    with pytest.raises(services.StudyStateError, match="training cases and their feedback cannot"):
        services.case_training_set(case=case, is_training=True, feedback="", actor=owner)
    case.refresh_from_db()
    assert (case.is_training, case.feedback) == (False, "")


def test_given_a_viewer_then_the_training_form_is_not_offered_and_a_post_is_forbidden(
    client, owner
):
    from study.models import StudyMembership
    from tests.factories import UserFactory

    study = gaube_study(owner=owner, open_study=False)
    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role="viewer")
    client.force_login(viewer)
    shown = page(client.get(reverse("console:cases", args=[study.slug])))
    assert 'name="is_training"' not in shown
    case = study.cases.first()
    assert client.post(_url(study, case.code), {"is_training": "on"}).status_code == 403
