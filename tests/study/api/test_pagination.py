"""study/api/pagination.py: every list is paged (default 50, at most 500 a page); a page or a
page size that is not a whole number in range is a 400 naming it."""

import pytest

from study import services
from tests.factories import UserFactory, gaube_study
from tests.study.api.api_world import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)
    services.invitations_create(study=study, count=120)
    return token_client(owner), f"/api/studies/{study.slug}/participants/"


def test_given_no_page_then_the_first_50_with_links_to_the_next(world):
    client, url = world

    page = client.get(url).json()

    assert (page["count"], len(page["results"]), page["previous"]) == (120, 50, None)
    assert page["next"] == f"http://testserver{url}?page=2"


def test_given_the_last_page_then_the_rest(world):
    client, url = world

    page = client.get(url, {"page": 3}).json()

    assert (len(page["results"]), page["next"]) == (20, None)
    assert page["previous"] == f"http://testserver{url}?page=2"


def test_given_a_page_size_then_pages_do_not_overlap_and_cover_all(world):
    client, url = world

    ids = [
        row["public_id"]
        for number in (1, 2, 3)
        for row in client.get(url, {"page": number, "page_size": 40}).json()["results"]
    ]

    assert len(ids) == len(set(ids)) == 120


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"page": "x"}, {"page": ["page must be a whole number 1 or more."]}),
        ({"page": "0"}, {"page": ["page must be a whole number 1 or more, not 0."]}),
        ({"page": "4"}, {"page": ["There is no page 4: the last page is 3."]}),
        (
            {"page_size": "501"},
            {"page_size": ["page_size must be a whole number between 1 and 500, not 501."]},
        ),
        (
            {"page_size": "1.5"},
            {"page_size": ["page_size must be a whole number between 1 and 500."]},
        ),
    ],
)
def test_given_a_bad_page_then_400_naming_it(world, query, errors):
    client, url = world

    response = client.get(url, query)

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize(
    "path",
    [
        "/api/studies/",
        "/api/studies/{slug}/cases/",
        "/api/studies/{slug}/jobs/",
        "/api/studies/{slug}/audit/",
        "/api/studies/{slug}/participants/",
    ],
)
def test_given_every_list_then_it_is_paged(path):
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)

    page = token_client(owner).get(path.format(slug=study.slug), {"page_size": 1}).json()

    assert set(page) == {"count", "next", "previous", "results"}
    assert len(page["results"]) == min(page["count"], 1)
