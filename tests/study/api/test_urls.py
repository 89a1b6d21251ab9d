"""Every URL of the API, by every role, with a token: one table of expected answers (owner,
collaborator, viewer, stranger, anonymous). The table must name every route of
study/api/urls.py, so a new endpoint without its row fails here; a view that skipped its
permission check would answer a viewer's write or a stranger's read with a 2xx."""

import io

import pytest
from django.urls import get_resolver
from rest_framework.test import APIClient

from study import services
from tests.factories import UserFactory, gaube_study
from tests.study.api.api_world import member, small_archive, token_client

pytestmark = pytest.mark.django_db

ROLES = ("owner", "collaborator", "viewer", "stranger", "anonymous")
MEMBER_READ = (200, 200, 200, 404, 401)
WRITE = {201: (201, 201, 403, 404, 401), 200: (200, 200, 403, 404, 401)}
PUBLIC = (200,) * 5
# (route name, method): (path, body or None, expected status per role in ROLES order)
TABLE = {
    ("index", "get"): ("/api/", None, PUBLIC),
    ("schema", "get"): ("/api/schema/", None, PUBLIC),
    ("docs", "get"): ("/api/docs/", None, PUBLIC),
    ("studies", "get"): ("/api/studies/", None, (200, 200, 200, 200, 401)),
    # Starting a study needs study.add_study, which none of these accounts holds.
    ("studies", "post"): (
        "/api/studies/",
        {"template": "gaube2021", "title": "T", "slug": "made"},
        (403, 403, 403, 403, 401),
    ),
    ("study", "get"): ("/api/studies/{slug}/", None, MEMBER_READ),
    ("cases", "get"): ("/api/studies/{slug}/cases/", None, MEMBER_READ),
    ("cases", "post"): ("/api/studies/{slug}/cases/", "archive", WRITE[201]),
    ("progress", "get"): ("/api/studies/{slug}/progress/", None, MEMBER_READ),
    # The draft's design is not locked: an amendment is refused by its state after the role.
    ("amendments", "post"): (
        "/api/studies/{slug}/amendments/",
        {"reason": "Typo.", "title": "New"},
        (409, 409, 403, 404, 401),
    ),
    ("study_open", "post"): ("/api/studies/{slug}/open/", {}, WRITE[200]),
    ("study_close", "post"): ("/api/studies/{slug}/close/", {}, WRITE[200]),
    ("invitations", "post"): ("/api/studies/{slug}/invitations/", {"count": 2}, WRITE[201]),
    ("participants", "get"): ("/api/studies/{slug}/participants/", None, MEMBER_READ),
    ("participant_withdraw", "post"): (
        "/api/studies/{slug}/participants/{participant}/withdraw/",
        {"reason": "Asked by phone."},
        WRITE[200],
    ),
    ("jobs", "get"): ("/api/studies/{slug}/jobs/", None, MEMBER_READ),
    # A report or an export asks READ, as on the console (study.services.jobs.KIND_ACTION).
    ("jobs", "post"): ("/api/studies/{slug}/jobs/", {"kind": "export"}, (202, 202, 202, 404, 401)),
    ("job", "get"): ("/api/studies/{slug}/jobs/{job}/", None, MEMBER_READ),
    # The owner's export holds free-text answers: not for a viewer (job_result_allowed).
    ("job_result", "get"): (
        "/api/studies/{slug}/jobs/{job}/result/",
        None,
        (200, 200, 403, 404, 401),
    ),
    ("audit", "get"): ("/api/studies/{slug}/audit/", None, MEMBER_READ),
    ("export", "get"): ("/api/studies/{slug}/export/{table}/", None, MEMBER_READ),
}
_METHODS = ("get", "post", "put", "patch", "delete")


def _routes() -> set[tuple[str, str]]:
    (api,) = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/"]
    routes = set()
    for pattern in api.url_patterns:
        if not pattern.name:
            continue  # the JSON 404 of no route
        view = pattern.callback.cls
        routes |= {(pattern.name, m) for m in _METHODS if hasattr(view, m)}
    return routes


def test_the_table_names_every_route_and_method_of_the_api():
    assert _routes() == set(TABLE)


@pytest.fixture
def world():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, open_study=False, slug="matrix")
    accounts = {
        "owner": owner,
        "collaborator": member(study, "collaborator", "collaborator"),
        "viewer": member(study, "viewer", "viewer"),
        "stranger": UserFactory(username="stranger"),
    }
    (participant,) = services.invitations_create(study=study, count=1)
    job = services.job_start(study=study, kind="export", actor=owner)
    values = {"slug": study.slug, "participant": participant.public_id, "job": job.public_id}
    return accounts, values


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda route: f"{route[1]}-{route[0]}")
def test_given_a_role_then_each_endpoint_answers_as_the_table_says(world, route, role_index):
    accounts, values = world
    path, body, expected = TABLE[route]
    role = ROLES[role_index]
    client = (
        APIClient(enforce_csrf_checks=True) if role == "anonymous" else token_client(accounts[role])
    )
    url = path.format(table="trials", **values)

    if body == "archive":
        archive = io.BytesIO(small_archive(("N1",)))
        archive.name = "cases.zip"
        response = client.post(url, {"archive": archive}, format="multipart")
    elif body is None:
        response = client.get(url)
    else:
        response = client.post(url, body, format="json")

    assert response.status_code == expected[role_index], getattr(response, "data", None)
