"""Malformed console requests (issue 9): every bad parameter is a 400 that says why, never a
500 nor a redirect that drops what was typed; nothing is written."""

import pytest
from django.urls import reverse

from study.models import AuditEvent
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(owner):
    return gaube_study(owner=owner)


def _allocation(client, study, query):
    return client.get(reverse("console:allocation", args=[study.slug]) + query)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?slots=abc", "Enter a whole number."),
        ("?slots=%00", "Enter a whole number."),
        ("?slots=%C2%B2", "Enter a whole number."),  # ², which str.isdigit() accepts
        ("?slots=1.5", "Enter a whole number."),
        ("?slots=" + "9" * 5000, "Enter a whole number."),
        ("?slots=0", "Ensure this value is greater than or equal to 1."),
        ("?slots=2001", "Ensure this value is less than or equal to 2000."),
    ],
)
def test_a_bad_slot_count_is_a_400_saying_why(owner_client, study, query, message):
    response = _allocation(owner_client, study, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["rows"] is None


@pytest.mark.parametrize(("query", "n_slots"), [("", 24), ("?slots=", 24), ("?slots=%D9%A3", 3)])
def test_no_slot_count_shows_the_default_and_unicode_digits_are_a_number(
    owner_client, study, query, n_slots
):
    response = _allocation(owner_client, study, query)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2 * n_slots


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("²", "Quotas not saved: quota for &#x27;radiology&#x27;: Enter a whole number."),
        ("\x00", "Quotas not saved: quota for &#x27;radiology&#x27;: Enter a whole number."),
        ("1" * 5000, "Quotas not saved: quota for &#x27;radiology&#x27;: Enter a whole number."),
        ("-3", "Quotas not saved: quota for &#x27;radiology&#x27;: must be a whole number &gt;= 0"),
    ],
)
def test_a_bad_quota_re_shows_the_study_page_with_400_and_the_posted_value(
    owner_client, study, value, message
):
    response = owner_client.post(
        reverse("console:quotas", args=[study.slug]),
        {"quota-radiology": value, "quota-non_radiology": "7"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'id="quota-non_radiology" name="quota-non_radiology" type="number" min="0" ' in body
    assert 'value="7"' in body
    study.refresh_from_db()
    assert study.stratum_quotas == {}
    assert not AuditEvent.objects.filter(action="quotas.set").exists()


def test_a_bad_quota_is_marked_at_its_input(owner_client, study):
    response = owner_client.post(
        reverse("console:quotas", args=[study.slug]), {"quota-radiology": "x"}
    )
    body = response.content.decode()
    assert '<p class="error" id="quota-radiology_error">Enter a whole number.</p>' in body
    assert 'aria-invalid="true" aria-describedby="quota-radiology_error"' in body


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("²", "Invitations not created: Number of invitation links: Enter a whole number."),
        ("\x00", "Invitations not created: Number of invitation links: Enter a whole number."),
        ("", "Invitations not created: Number of invitation links: This field is required."),
        ("10001", "Invitations not created: count must be between 1 and 10000, got 10001"),
    ],
)
def test_a_bad_invitation_count_is_a_400_saying_why(owner_client, study, count, message):
    response = owner_client.post(
        reverse("console:invitations", args=[study.slug]), {"count": count}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert study.participants.count() == 0


@pytest.mark.parametrize("enable", ["", "yes", "\x00", "2"])
def test_a_bad_open_link_switch_is_a_400_and_changes_nothing(owner_client, study, enable):
    study.self_enrolment_token = "kept-token"
    study.save(update_fields=["self_enrolment_token"])
    response = owner_client.post(
        reverse("console:link_toggle", args=[study.slug]), {"enable": enable}
    )
    assert response.status_code == 400
    assert "Open link not changed: Open enrolment link:" in response.content.decode()
    study.refresh_from_db()
    assert study.self_enrolment_token == "kept-token"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?q=%00", "Null characters are not allowed."),
        ("?q=" + "P" * 101, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_a_participant_search_that_cannot_match_is_a_400(owner_client, study, query, message):
    enrolled_participant(study)
    response = owner_client.get(reverse("console:participants", args=[study.slug]) + query)
    assert response.status_code == 400
    assert f"Nothing was searched: {message}" in response.content.decode()
    assert len(response.context["page"]) == 0


def test_a_bad_page_number_shows_a_page(owner_client, study):
    enrolled_participant(study)
    url = reverse("console:participants", args=[study.slug])
    assert owner_client.get(url + "?page=%00").status_code == 200


@pytest.mark.parametrize("public_id", ["%00", "P" * 17])
def test_withdrawing_a_public_id_that_cannot_exist_is_a_404(owner_client, study, public_id):
    url = f"/console/studies/{study.slug}/participants/{public_id}/withdraw/"
    assert owner_client.post(url, {"reason": "asked by email"}).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"username": "nobody", "role": "viewer"},
            "No account with the username &#x27;nobody&#x27;.",
        ),
        ({"username": "colleague", "role": "king"}, "Role: Select a valid choice. king is not one"),
        ({}, "Username of an existing account: This field is required."),
    ],
)
def test_a_refused_member_is_re_shown_on_the_design_page_with_400(
    owner_client, study, data, message
):
    UserFactory(username="colleague")
    response = owner_client.post(reverse("console:membership_add", args=[study.slug]), data)
    assert response.status_code == 400
    assert f"Member not added: {message}" in response.content.decode()
    assert study.memberships.count() == 1


def test_an_empty_settings_post_is_refused_with_400(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    response = owner_client.post(reverse("console:design", args=[study.slug]), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = owner_client.post(reverse("console:study_new"), {})
    assert response.status_code == 400
    response = owner_client.post(reverse("console:arm_add", args=[study.slug]), {})
    assert response.status_code == 400
