"""The design hash and versions in the API, and amendments through it (WRITE role only)."""

import re

import pytest
from django.urls import reverse

from study import services
from study.api.serializers import AMENDMENT_REASON_REQUIRED
from study.models import AuditEvent, DesignVersion, Study
from tests.factories import INTERNIST, UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def api(client, owner):
    client.force_login(owner)
    return client


def _study_json(api, study: Study) -> dict:
    response = api.get(reverse("api:study", args=[study.slug]))
    assert response.status_code == 200
    return response.json()


def _amend(api, study: Study, **data):
    return api.post(
        reverse("api:amendments", args=[study.slug]), data, content_type="application/json"
    )


@pytest.fixture
def locked(owner):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    return study


def test_given_a_draft_then_the_api_shows_the_live_hash_and_no_version(api, owner):
    study = gaube_study(owner=owner, open_study=False)

    shown = _study_json(api, study)

    assert shown["design_hash"] == services.study_design_hash(study=study)
    assert (shown["design_version"], shown["design_versions"]) == (None, [])
    services.study_design_update(study=study, actor=owner, debrief_text="Rewritten debrief.")
    live = services.study_design_hash(study=Study.objects.get(pk=study.pk))
    assert live != shown["design_hash"]
    assert _study_json(api, study)["design_hash"] == live
    assert [s["design_hash"] for s in api.get(reverse("api:studies")).json()["results"]] == [live]


def test_given_a_locked_study_then_the_api_and_the_console_show_the_same_hash_and_version(
    api, locked
):
    version = DesignVersion.objects.get(study=locked)

    shown = _study_json(api, locked)

    assert (shown["design_hash"], shown["design_version"]) == (version.sha256, 1)
    assert shown["design_versions"] == [
        {
            "version": 1,
            "sha256": version.sha256,
            "effective_at": version.effective_at.isoformat().replace("+00:00", "Z"),
            "reason": "",
        }
    ]
    design_page = api.get(reverse("console:design", args=[locked.slug])).content.decode()
    assert re.findall(r'id="design-hash"[^>]*>([0-9a-f]{64})<', design_page) == [version.sha256]


def test_given_an_amendment_without_a_reason_then_it_is_refused_naming_the_field(api, locked):
    for data in ({"consent_text": "Corrected."}, {"consent_text": "Corrected.", "reason": " "}):
        response = _amend(api, locked, **data)
        assert response.status_code == 400
        assert response.json() == {"reason": [AMENDMENT_REASON_REQUIRED]}
    assert Study.objects.get(pk=locked.pk).consent_text == "Please consent."
    assert DesignVersion.objects.filter(study=locked).count() == 1


def test_given_an_amendment_with_a_reason_then_version_2_is_shown_and_applies_to_new_participants(
    api, owner, locked
):
    first = locked.participants.get()

    response = _amend(api, locked, consent_text="Corrected.", reason="Contact address added")

    assert response.status_code == 201
    shown = response.json()
    v2 = DesignVersion.objects.get(study=locked, version=2)
    assert (shown["design_version"], shown["design_hash"]) == (2, v2.sha256)
    assert [(v["version"], v["reason"]) for v in shown["design_versions"]] == [
        (1, ""),
        (2, "Contact address added"),
    ]
    assert _study_json(api, locked)["design_hash"] == v2.sha256
    event = AuditEvent.objects.get(study=locked, action="study.design_amended")
    assert (event.actor, event.detail["fields"]) == (owner, ["consent_text"])
    second = enrolled_participant(locked, INTERNIST)
    first.refresh_from_db()
    assert (first.design_version, second.design_version) == (1, 2)


def test_given_an_amendment_that_changes_nothing_then_the_answer_is_200_and_no_version(api, locked):
    response = _amend(api, locked, consent_text="Please consent.\r\n", reason="Resubmitted")
    assert response.status_code == 200
    assert response.json()["design_version"] == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"seed": 7, "reason": "More power"},
            {"seed": ["seed is a design setting: it is frozen since the first enrolment."]},
        ),
        (
            {"colour": "red", "reason": "Nicer"},
            {
                "colour": [
                    "colour is not a text an amendment can change "
                    "(one of title, description, consent_text, debrief_text)."
                ]
            },
        ),
        (
            {"reason": "Nothing"},
            {
                "non_field_errors": [
                    "An amendment changes at least one of title, description, consent_text, "
                    "debrief_text."
                ]
            },
        ),
        ({"title": "   ", "reason": "Blank"}, {"title": ["This field may not be blank."]}),
        ({"consent_text": 5, "reason": "Number"}, None),  # DRF takes 5 as the text "5"
    ],
)
def test_given_a_bad_amendment_then_the_400_names_the_field(api, locked, data, errors):
    response = _amend(api, locked, **data)
    if errors is None:
        assert response.status_code == 201
        assert Study.objects.get(pk=locked.pk).consent_text == "5"
        return
    assert response.status_code == 400
    assert response.json() == errors
    assert DesignVersion.objects.filter(study=locked).count() == 1


def test_given_a_study_not_locked_yet_then_an_amendment_is_a_conflict(api, owner):
    study = gaube_study(owner=owner)
    response = _amend(api, study, title="Renamed", reason="Early fix")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Study '{study.slug}' has no enrolled participant yet: its design is still a "
        "draft and changes without an amendment."
    }


def test_given_a_viewer_or_a_stranger_then_an_amendment_is_refused(client, owner, locked):
    viewer = UserFactory(username="viewer")
    services.membership_add(study=locked, actor=owner, username="viewer", role="viewer")
    client.force_login(viewer)
    assert _amend(client, locked, title="X", reason="Y").status_code == 403
    client.force_login(UserFactory(username="stranger"))
    assert _amend(client, locked, title="X", reason="Y").status_code == 404
    client.logout()
    assert _amend(client, locked, title="X", reason="Y").status_code == 401
    assert Study.objects.get(pk=locked.pk).title != "X"


def test_given_the_schema_then_the_amendments_endpoint_and_the_design_fields_are_described(api):
    schema = api.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "post" in schema["paths"]["/api/studies/{slug}/amendments/"]
    study = schema["components"]["schemas"]["Study"]["properties"]
    assert {"design_hash", "design_version", "design_versions"} <= set(study)
