"""The cases page's review grid (study.console.views.cases): the cases awaiting review as
thumbnails opening their previews, ticked and confirmed in one POST; refusals a 400 page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from study.models import AuditEvent, Case, StudyMembership
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db

NEEDS = Case.Review.NEEDS_REVIEW


@pytest.fixture
def study():
    study = gaube_study(open_study=False, slug="grid")
    study.cases.filter(code__in=["C01", "C02", "C03"]).update(
        review_status=NEEDS,
        thumbnail_image="cases/thumb/t.webp",
        preview_image="cases/preview/p.webp",
    )
    return study


def _login(client, study, role: str):
    user = UserFactory(username=role)
    StudyMembership.objects.create(study=study, user=user, role=role)
    client.force_login(user)
    return user


def _awaiting(study) -> list[str]:
    return list(study.cases.filter(review_status=NEEDS).values_list("code", flat=True))


def _review(client, study, codes):
    return client.post(reverse("console:cases_review", args=[study.slug]), {"codes": codes})


def test_the_grid_shows_each_case_awaiting_review_with_its_preview_and_a_checkbox(client, study):
    _login(client, study, "collaborator")
    page = client.get(reverse("console:cases", args=[study.slug])).content.decode()
    start = page.index('<ul class="review-grid">')
    grid = page[start : page.index("</ul>", start)]
    assert grid.count("<li>") == 3
    for code in ("C01", "C02", "C03"):
        assert f'href="/console/studies/grid/cases/{code}/image/p.webp"' in grid
        assert f'src="/console/studies/grid/cases/{code}/image/t.webp"' in grid
        assert f'alt="Open the preview of case {code}"' in grid
        assert f'name="codes" value="{code}" id="review-{code}"' in grid
        assert f'<label class="choice" for="review-{code}">' in grid
    assert "C04" not in grid
    assert "Confirm no burned-in text for the selected cases</button>" in page


def test_a_viewer_sees_the_grid_without_checkboxes(client, study):
    _login(client, study, "viewer")
    page = client.get(reverse("console:cases", args=[study.slug])).content.decode()
    assert page.count('alt="Open the preview of case') == 3
    assert 'name="codes"' not in page
    assert "Confirm no burned-in text for the selected cases" not in page


def test_no_grid_when_nothing_awaits_review(client, study):
    study.cases.update(review_status=Case.Review.OK)
    _login(client, study, "owner")
    page = client.get(reverse("console:cases", args=[study.slug])).content.decode()
    assert "review-grid" not in page
    assert "Cases awaiting review" not in page


def test_the_selected_cases_are_confirmed_in_one_post(client, study):
    user = _login(client, study, "collaborator")
    response = _review(client, study, ["C01", "C03"])
    assert (response.status_code, response["Location"]) == (302, "/console/studies/grid/cases/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "No burned-in identifying text, confirmed for 2 cases: C01, C03."
    ]
    assert _awaiting(study) == ["C02"]
    events = AuditEvent.objects.filter(action="case.review_confirmed").order_by("id")
    assert [(event.actor, event.detail["case"]) for event in events] == [
        (user, "C01"),
        (user, "C03"),
    ]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ([], "Nothing confirmed: Select at least one case to confirm."),
        (["C01", "nope"], "Nothing confirmed: Not cases of this study: nope."),
        (["C02", "C05"], "Nothing confirmed: Not awaiting review: C05."),
    ],
)
def test_a_selection_that_cannot_be_confirmed_is_a_400_saying_why(client, study, codes, message):
    _login(client, study, "owner")
    response = _review(client, study, codes)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<div class="error-summary" role="alert" id="review-error"><p>{message}</p></div>' in (
        page
    )
    assert _awaiting(study) == ["C01", "C02", "C03"]
    # the ticks survive the refusal, so the researcher fixes the selection and sends it again
    for code in codes:
        if code in ("C01", "C02"):
            assert f'id="review-{code}" aria-describedby="review-hint" checked>' in page


def test_a_viewer_cannot_confirm(client, study):
    _login(client, study, "viewer")
    assert _review(client, study, ["C01"]).status_code == 403
    assert _awaiting(study) == ["C01", "C02", "C03"]
