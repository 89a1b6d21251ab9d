"""The whole role x action matrix: every console URL and every API endpoint, GET and POST, asked
by an owner, a collaborator, a viewer, a signed-in stranger and an anonymous visitor, against
one table of expected answers (study.permissions is the rule; this is its proof).

The table is checked against the URL patterns themselves: a new view without a row fails
test_every_url_has_a_row, and a view that skips its check answers a stranger or a viewer
something else than its row says. A POST carries no data: what is checked is who gets past
the permission check, not what the form then says (a 400 is "allowed, but the form is empty").

Answers: a status code, "login" (302 to the console's login page), or "hidden" (200 without
the study in the body: a list filtered to what the account may see)."""

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from study import services
from study.models import ExampleImage, Job, StudyMembership
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db

ROLES = ("owner", "collaborator", "viewer", "stranger", "anonymous")
SLUG = "matrix"
LOGIN = "/console/login/"
ARM, DIAGNOSIS, CASE, EXAMPLE = "ai", "pneumonia", "C01", "ex1"
CASE_IMAGE, EXAMPLE_IMAGE = "thumb-0123.webp", "example-0123.webp"
JOB, JOB_RESULT = "job-matrix", "jobs/result/matrix-export.zip"


@dataclass(frozen=True)
class Row:
    """One URL's expected answers, in ROLES order, to a GET and to an empty POST."""

    kwargs: tuple[str, ...]  # which of the fixture's values fill the URL (see _kwargs)
    get: str
    post: str


# The answers each kind of view gives (owner, collaborator, viewer, stranger, anonymous).
READ_PAGE = "200 200 200 404 login"
POST_ONLY = "405 405 405 405 405"  # require_POST comes before the login check: no data shown
LOGIN_FIRST = "login login login login login"

# Every console URL, by name.
CONSOLE = {
    "home": Row((), get="200 200 200 hidden login", post="200 200 200 hidden login"),
    "login": Row((), get="200 200 200 200 200", post="200 200 200 200 200"),
    "logout": Row((), get="405 405 405 405 405", post=LOGIN_FIRST),  # signed out, to log in
    # Starting a study needs the add_study permission (given to the owner's account only).
    "study_new": Row((), get="200 403 403 403 login", post="400 403 403 403 login"),
    "study_from_template": Row((), get="200 403 403 403 login", post="400 403 403 403 login"),
    "study": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "design": Row(("slug",), get=READ_PAGE, post="400 400 403 404 login"),
    "arm_add": Row(("slug",), get="200 200 403 404 login", post="400 400 403 404 login"),
    "arm_edit": Row(("slug", "arm"), get="200 200 403 404 login", post="400 400 403 404 login"),
    "arm_delete": Row(("slug", "arm"), get=POST_ONLY, post="302 302 403 404 login"),
    "diagnosis_add": Row(("slug",), get="200 200 403 404 login", post="400 400 403 404 login"),
    "diagnosis_edit": Row(
        ("slug", "diagnosis"), get="200 200 403 404 login", post="400 400 403 404 login"
    ),
    "diagnosis_delete": Row(("slug", "diagnosis"), get=POST_ONLY, post="302 302 403 404 login"),
    "membership_add": Row(("slug",), get=POST_ONLY, post="400 403 403 404 login"),
    "membership_role": Row(("slug",), get=POST_ONLY, post="400 403 403 404 login"),
    "membership_remove": Row(("slug",), get=POST_ONLY, post="400 403 403 404 login"),
    "free_text_export": Row(("slug",), get=POST_ONLY, post="302 403 403 404 login"),
    "instruments": Row(("slug",), get=READ_PAGE, post="400 400 403 404 login"),
    "translations": Row(("slug",), get=READ_PAGE, post="400 400 403 404 login"),
    "examples": Row(("slug",), get=READ_PAGE, post="400 400 403 404 login"),
    "example_delete": Row(("slug", "example"), get=POST_ONLY, post="400 400 403 404 login"),
    "example_image": Row(("slug", "example", "example_image"), get=READ_PAGE, post=READ_PAGE),
    # Cloning starts a study too: WRITE on the study and the add_study permission.
    "study_clone": Row(("slug",), get="200 403 403 404 login", post="400 403 403 404 login"),
    "study_open": Row(("slug",), get=POST_ONLY, post="302 302 403 404 login"),
    "study_close": Row(("slug",), get=POST_ONLY, post="302 302 403 404 login"),
    "allocation": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "audit": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "invitations": Row(("slug",), get=POST_ONLY, post="400 400 403 404 login"),
    "export": Row(("slug", "table"), get=READ_PAGE, post=READ_PAGE),
    "export_bundle": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "report": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "progress": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "jobs": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    # Starting a report or an export is reading: viewers may (an empty POST names no kind).
    "job_start": Row(("slug",), get=POST_ONLY, post="400 400 400 404 login"),
    "job": Row(("slug", "job"), get=READ_PAGE, post=READ_PAGE),
    # The owner's export holds free-text answers: not for a viewer (job_result_allowed).
    "job_result": Row(("slug", "job"), get="200 200 403 404 login", post="200 200 403 404 login"),
    "cases": Row(("slug",), get=READ_PAGE, post="400 400 403 404 login"),
    "cases_review": Row(("slug",), get=POST_ONLY, post="400 400 403 404 login"),
    "case_review": Row(("slug", "case"), get=POST_ONLY, post="302 302 403 404 login"),
    "case_training": Row(("slug", "case"), get=POST_ONLY, post="400 400 403 404 login"),
    "case_image": Row(("slug", "case", "case_image"), get=READ_PAGE, post=READ_PAGE),
    "link_toggle": Row(("slug",), get=POST_ONLY, post="400 400 403 404 login"),
    "quotas": Row(("slug",), get=POST_ONLY, post="302 302 403 404 login"),
    "abandon_threshold": Row(("slug",), get=POST_ONLY, post="400 400 403 404 login"),
    "panel": Row(("slug",), get=READ_PAGE, post="400 400 403 404 login"),
    "participants": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "participant_withdraw": Row(("slug", "public_id"), get=POST_ONLY, post="400 400 403 404 login"),
    # Invitation links and e-mail: reading lists them, every change needs WRITE.
    "links": Row(("slug",), get=READ_PAGE, post=READ_PAGE),
    "links_create": Row(("slug",), get=POST_ONLY, post="400 400 403 404 login"),
    "links_email": Row(("slug",), get=POST_ONLY, post="400 400 403 404 login"),
    "email_templates": Row(("slug",), get=POST_ONLY, post="400 400 403 404 login"),
    "link_revoke": Row(("slug", "public_id"), get=POST_ONLY, post="302 302 403 404 login"),
    # an empty label is a label cleared
    "link_relabel": Row(("slug", "public_id"), get=POST_ONLY, post="302 302 403 404 login"),
    # API tokens: any signed-in account, its own only (a key it does not hold is a 404).
    "tokens": Row((), get="200 200 200 200 login", post="201 201 201 201 login"),
    "token_revoke": Row(("token_key",), get="405 405 405 405 login", post="404 404 404 404 login"),
}

# Every API endpoint, by name (the unnamed catch-all by its pattern). Token or session
# authentication: an anonymous request is asked for credentials (401) before the view looks at
# the study; the index, the schema and the docs are public.
API_READ = "200 200 200 404 401"
API_NO_POST = "405 405 405 405 401"
API_NO_GET = API_NO_POST
API_WRITE = "400 400 403 404 401"  # an empty POST gets past the check, then is refused
PUBLIC = "200 200 200 200 200"
PUBLIC_NO_POST = "405 405 405 405 405"
API = {
    "index": Row((), get=PUBLIC, post=PUBLIC_NO_POST),
    # The schema describes the API, no study: public.
    "schema": Row((), get=PUBLIC, post=PUBLIC_NO_POST),
    "docs": Row((), get=PUBLIC, post=PUBLIC_NO_POST),
    # Starting a study needs the add_study permission (given to the owner's account only).
    "studies": Row((), get="200 200 200 hidden 401", post="400 403 403 403 401"),
    "study": Row(("slug",), get=API_READ, post=API_NO_POST),
    "cases": Row(("slug",), get=API_READ, post=API_WRITE),
    "progress": Row(("slug",), get=API_READ, post=API_NO_POST),
    "amendments": Row(("slug",), get=API_NO_GET, post=API_WRITE),
    # The study is recruiting: opening it again is a no-op, closing it closes it.
    "study_open": Row(("slug",), get=API_NO_GET, post="200 200 403 404 401"),
    "study_close": Row(("slug",), get=API_NO_GET, post="200 200 403 404 401"),
    "invitations": Row(("slug",), get=API_NO_GET, post=API_WRITE),
    "participants": Row(("slug",), get=API_READ, post=API_NO_POST),
    "participant_withdraw": Row(("slug", "public_id"), get=API_NO_GET, post=API_WRITE),
    # Starting a report or an export is reading: viewers may (an empty POST names no kind).
    "jobs": Row(("slug",), get=API_READ, post="400 400 400 404 401"),
    "job": Row(("slug", "job"), get=API_READ, post=API_NO_POST),
    # The owner's export holds free-text answers: not for a viewer (job_result_allowed).
    "job_result": Row(("slug", "job"), get="200 200 403 404 401", post=API_NO_POST),
    "audit": Row(("slug",), get=API_READ, post=API_NO_POST),
    "export": Row(("slug", "table"), get=API_READ, post=API_NO_POST),
    r"^[\s\S]+/$": Row(("nowhere",), get="404 404 404 404 404", post="404 404 404 404 404"),
}


def _patterns(namespace: str) -> set[str]:
    """Every URL name (or, unnamed, its pattern) under a namespace of the project's URLconf."""
    resolver: URLResolver = get_resolver().namespace_dict[namespace][1]
    found = set()
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern), f"{namespace}: an include() needs rows too"
        found.add(pattern.name or str(pattern.pattern))
    return found


@pytest.mark.parametrize(("namespace", "table"), [("console", CONSOLE), ("api", API)])
def test_every_url_has_a_row(namespace, table):
    assert _patterns(namespace) == set(table)


def _images_store() -> None:
    # Each test has its own MEDIA_ROOT (tests/conftest.py): the images are stored anew in it.
    default_storage.save(f"cases/thumb/{CASE_IMAGE}", ContentFile(b"RIFF"))
    default_storage.save(f"examples/display/{EXAMPLE_IMAGE}", ContentFile(b"RIFF"))
    default_storage.save(f"examples/preview/{EXAMPLE_IMAGE}", ContentFile(b"RIFF"))
    default_storage.save(JOB_RESULT, ContentFile(b"PK"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """An open study with the three roles, a stranger, a participant, a case image and an
    example image; the owner's account may also start studies. Built once for the module
    inside a transaction rolled back at its end: each test runs in a savepoint of it."""
    from django.contrib.auth.models import Permission

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        accounts = {role: UserFactory(username=role) for role in ROLES if role != "anonymous"}
        study = gaube_study(slug=SLUG)
        for role in ("owner", "collaborator", "viewer"):
            StudyMembership.objects.create(study=study, user=accounts[role], role=role)
        accounts["owner"].user_permissions.add(Permission.objects.get(codename="add_study"))
        (participant,) = services.invitations_create(study=study, count=1)
        study.cases.filter(code=CASE).update(thumbnail_image=f"cases/thumb/{CASE_IMAGE}")
        ExampleImage.objects.create(
            study=study,
            code=EXAMPLE,
            diagnosis=DIAGNOSIS,
            display_image=f"examples/display/{EXAMPLE_IMAGE}",
            preview_image=f"examples/preview/{EXAMPLE_IMAGE}",
            image_width=1,
            image_height=1,
        )
        Job.objects.create(
            public_id=JOB,
            study=study,
            kind=Job.Kind.EXPORT,
            status=Job.Status.DONE,
            requested_by=accounts["owner"],
            result={"trials": 0, "include_synthetic": False, "free_text": True},
            result_file=JOB_RESULT,
            result_name="matrix-export.zip",
            result_type="application/zip",
        )
        values = {
            "slug": SLUG,
            "job": JOB,
            "arm": ARM,
            "diagnosis": DIAGNOSIS,
            "case": CASE,
            "case_image": CASE_IMAGE,
            "example": EXAMPLE,
            "example_image": EXAMPLE_IMAGE,
            "table": "trials",
            "public_id": participant.public_id,
            "token_key": "nosuchkey",
        }
        yield accounts, values
        transaction.set_rollback(True)


def _url(namespace: str, name: str, row: Row, values: dict) -> str:
    if name.startswith("^"):  # the API's catch-all
        return "/api/no/such/endpoint/"
    pattern = next(
        p for p in get_resolver().namespace_dict[namespace][1].url_patterns if p.name == name
    )
    converters = list(pattern.pattern.converters)
    assert len(converters) == len(row.kwargs), f"{name}: kwargs {row.kwargs} for {converters}"
    kwargs = {key: values[source] for key, source in zip(converters, row.kwargs, strict=True)}
    return reverse(f"{namespace}:{name}", kwargs=kwargs)


def _answer(response, *, lists_studies: bool) -> str:
    if response.status_code == 302 and response["Location"].startswith(LOGIN):
        return "login"
    if lists_studies and response.status_code == 200 and SLUG not in response.content.decode():
        return "hidden"
    return str(response.status_code)


def _answers(accounts, url: str, method: str, *, lists_studies: bool = False) -> str:
    answers = []
    for role in ROLES:
        # Each role asks a study no one has changed: what an allowed POST did is undone.
        with transaction.atomic():
            client = Client()
            if role != "anonymous":
                client.force_login(accounts[role])
            response = getattr(client, method)(url, {})
            answers.append(_answer(response, lists_studies=lists_studies))
            transaction.set_rollback(True)
    return " ".join(answers)


CASES = [
    pytest.param(namespace, name, method, id=f"{namespace}:{name}:{method}")
    for namespace, table in (("console", CONSOLE), ("api", API))
    for name in table
    for method in ("get", "post")
]


@pytest.mark.parametrize(("namespace", "name", "method"), CASES)
def test_each_role_gets_the_answer_of_its_row(world, namespace, name, method):
    accounts, values = world
    _images_store()
    row = (CONSOLE if namespace == "console" else API)[name]
    url = _url(namespace, name, row, values)
    # The lists of studies (the console's home, the API's studies) show only the member's.
    lists_studies = name in ("home", "studies")
    answers = _answers(accounts, url, method, lists_studies=lists_studies)
    assert answers == getattr(row, method)
