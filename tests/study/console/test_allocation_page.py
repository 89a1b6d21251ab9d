"""The allocation page of a draft whose design cannot be allocated yet: the reason, never a 500
(axe's walk through the console found the page failing for such a draft)."""

import pytest
from django.urls import reverse

from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def test_given_a_draft_with_too_few_cases_when_the_allocation_page_opens_then_it_says_why(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False, cases_per_participant=9)

    response = owner_client.get(reverse("console:allocation", args=[study.slug]))

    assert response.status_code == 409
    assert response.context["rows"] is None
    assert response.context["design_problem"] == (
        "cases_per_participant (9) exceeds the number of test cases in the pool (8)"
    )
    assert (
        "No allocation table until the design can be allocated: cases_per_participant (9) "
        "exceeds the number of test cases in the pool (8)."
    ) in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "args", "table"),
    [("console:export", ["allocation"], "allocation"), ("console:export_bundle", [], "bundle")],
)
def test_given_a_draft_with_too_few_cases_when_its_allocation_is_exported_then_it_says_why(
    owner_client, owner, url_name, args, table
):
    study = gaube_study(owner=owner, open_study=False, cases_per_participant=9)

    response = owner_client.get(reverse(url_name, args=[study.slug, *args]))

    assert response.status_code == 409
    assert [str(message) for message in response.context["messages"]] == [
        f"No {table} export until the design can be allocated: cases_per_participant (9) "
        "exceeds the number of test cases in the pool (8)."
    ]
