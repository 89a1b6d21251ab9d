"""study/api/filters.py: each list's filters keep what they name; a value that is not a
choice, a boolean or a time is a 400 naming the parameter and what it takes."""

import pytest

from study import services
from study.models import Participant
from tests.factories import INTERNIST, UserFactory, answer_all, enrolled_participant, gaube_study
from tests.study.api.api_world import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="pi")


def _results(client, url, **query) -> list:
    response = client.get(url, query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_given_a_status_then_only_those_studies(owner):
    gaube_study(owner=owner, slug="a-open")
    gaube_study(owner=owner, slug="b-draft", open_study=False)
    client = token_client(owner)

    assert [s["slug"] for s in _results(client, "/api/studies/", status="draft")] == ["b-draft"]
    assert [s["slug"] for s in _results(client, "/api/studies/")] == ["a-open", "b-draft"]


def test_given_case_filters_then_only_those_cases(owner):
    study = gaube_study(owner=owner, open_study=False)
    study.cases.filter(code=study.cases.first().code).update(is_training=True)
    client = token_client(owner)
    url = f"/api/studies/{study.slug}/cases/"

    training = _results(client, url, is_training="true")
    rated = _results(client, url, is_training="0", review_status="ok")

    assert [case["is_training"] for case in training] == [True]
    assert len(rated) == study.cases.count() - 1
    assert _results(client, url, review_status="needs_review") == []


def test_given_participant_filters_then_only_those_participants(owner):
    study = gaube_study(owner=owner)
    radiologist = enrolled_participant(study)
    internist = enrolled_participant(study, INTERNIST)
    answer_all(internist)
    services.participant_withdraw(
        participant=internist, actor=owner, by="researcher", reason="Asked by phone."
    )
    services.links_create(study=study, count=2, label_prefix="UKE")
    client = token_client(owner)
    url = f"/api/studies/{study.slug}/participants/"

    def ids(**query):
        return [p["public_id"] for p in _results(client, url, **query)]

    assert ids(status="in_progress") == [radiologist.public_id]
    assert ids(stratum="non_radiology", status="withdrawn") == [internist.public_id]
    assert ids(arm=radiologist.arm.code, status="in_progress") == [radiologist.public_id]
    labelled = Participant.objects.filter(label__startswith="UKE").order_by("label")
    assert ids(label="UKE") == [p.public_id for p in labelled]
    assert ids(label="UKE-002") == [labelled[1].public_id]
    assert ids(synthetic="true") == []


@pytest.mark.parametrize(
    ("path", "query", "errors"),
    [
        (
            "/api/studies/",
            {"status": "open"},
            {"status": ['"open" is not one of: draft, recruiting, closed.']},
        ),
        (
            "/api/studies/{slug}/cases/",
            {"is_training": "maybe"},
            {"is_training": ["Must be true or false (also 1 or 0)."]},
        ),
        (
            "/api/studies/{slug}/cases/",
            {"review_status": "ready"},
            {"review_status": ['"ready" is not one of: ok, needs_review.']},
        ),
        (
            "/api/studies/{slug}/participants/",
            {"status": "done"},
            {
                "status": [
                    '"done" is not one of: invited, declined, consented, ineligible, '
                    "stratum_full, reissued, in_progress, completed, withdrawn, revoked."
                ]
            },
        ),
        (
            "/api/studies/{slug}/participants/",
            {"label": "x" * 101},
            {"label": ["Ensure this field has no more than 100 characters."]},
        ),
        (
            "/api/studies/{slug}/participants/",
            {"stratum": "a\x00b"},
            {"stratum": ["Null characters are not allowed."]},
        ),
        (
            "/api/studies/{slug}/jobs/",
            {"kind": "fit"},
            {"kind": ['"fit" is not one of: report, power, import, export, email.']},
        ),
        (
            "/api/studies/{slug}/audit/",
            {"since": "yesterday"},
            {
                "since": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        (
            "/api/studies/{slug}/audit/",
            {"since": "2026-02-01T00:00Z", "until": "2026-01-01T00:00Z"},
            {"until": ["until must be later than since."]},
        ),
    ],
)
def test_given_a_bad_filter_then_400_naming_it(owner, path, query, errors):
    study = gaube_study(owner=owner)

    response = token_client(owner).get(path.format(slug=study.slug), query)

    assert (response.status_code, response.json()) == (400, errors)
