"""study/api/views.py's writes: a new study from a design template, a case archive uploaded to
a draft as an import job (every case or none), each with the console's rules and a 4xx naming
what is wrong."""

import pytest

from study.models import AuditEvent, Case, Job, Study
from tests.factories import UserFactory, gaube_study
from tests.study.api.api_world import member, small_archive, study_starter, token_client, upload

pytestmark = pytest.mark.django_db


def test_given_a_template_then_a_draft_study_is_made_and_owned():
    client = token_client(study_starter("pi"))

    response = client.post(
        "/api/studies/",
        {"template": "gaube2021", "title": "Multi-site advice", "slug": "multi-site"},
        format="json",
    )

    assert response.status_code == 201
    found = response.json()
    assert (found["slug"], found["title"], found["status"]) == (
        "multi-site",
        "Multi-site advice",
        "draft",
    )
    assert sorted(arm["code"] for arm in found["arms"]) == ["ai", "human"]
    study = Study.objects.get(slug="multi-site")
    assert study.memberships.get().user.username == "pi"
    assert AuditEvent.objects.get(study=study, action="study.from_template").detail == {
        "template": "gaube2021",
        "title": "Gaube et al. 2021: source of advice (AI vs radiologist)",
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"template": "nope", "title": "T", "slug": "t"},
            {
                "template": [
                    '"nope" is no template: one of dratsch2023, gaube2021, gaube2023, '
                    "prinster2024, reveal."
                ]
            },
        ),
        ({"title": "T", "slug": "t"}, {"template": ["This field is required."]}),
        (
            {"template": "gaube2021", "title": "T", "slug": "new"},
            {"slug": ["“new” is reserved by the console; choose another."]},
        ),
        (
            {"template": "gaube2021", "title": "T", "slug": "taken"},
            {"slug": ["“taken” is already used by another study."]},
        ),
    ],
)
def test_given_a_bad_new_study_then_400_naming_the_field(body, errors):
    gaube_study(slug="taken")
    client = token_client(study_starter("pi"))

    response = client.post("/api/studies/", body, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert Study.objects.count() == 1


def test_given_an_account_without_add_study_then_403():
    client = token_client(UserFactory(username="coordinator"))

    response = client.post(
        "/api/studies/", {"template": "gaube2021", "title": "T", "slug": "t"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account may not start studies; ask an administrator."
    }


def test_given_an_archive_then_every_case_is_imported_with_its_outcome():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False, cases_per_participant=2)
    study.cases.all().delete()

    response = upload(token_client(owner), study.slug, small_archive(("C1", "C2")))

    assert response.status_code == 201
    job = Job.objects.get(study=study, kind="import")
    assert (job.status, job.params) == ("done", {"archive_name": "cases.zip", "via": "api"})
    assert response.json() == {
        "job": job.public_id,
        "imported": 2,
        "needs_review": [],
        "files": [
            {"file": "images/C1.dcm", "case": "C1", "status": "imported", "message": "imported"},
            {"file": "images/C2.dcm", "case": "C2", "status": "imported", "message": "imported"},
        ],
    }
    assert list(Case.objects.filter(study=study).values_list("code", flat=True)) == ["C1", "C2"]


def test_given_a_manifest_with_a_problem_then_400_row_by_row_and_nothing_is_imported():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)
    before = study.cases.count()

    response = upload(token_client(owner), study.slug, small_archive(("bad code!",)))

    assert response.status_code == 400
    body = response.json()
    assert body["archive"] == ["Nothing was imported: the archive has problems."]
    assert body["manifest"] == [
        "row 1, column 'case': 'bad code!' may hold only letters, digits, - and _"
    ]
    assert study.cases.count() == before


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (None, {"archive": ["No file was submitted."]}),
        (
            b"not a zip",
            {"archive": ["cases.zip: the upload is not a zip archive (File is not a zip file)"]},
        ),
    ],
)
def test_given_no_archive_or_not_a_zip_then_400(data, errors):
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)
    client = token_client(owner)

    if data is None:
        response = client.post(f"/api/studies/{study.slug}/cases/", {}, format="multipart")
    else:
        response = upload(client, study.slug, data)

    assert (response.status_code, response.json()) == (400, errors)


def test_given_an_open_study_then_an_upload_is_409():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner)

    response = upload(token_client(owner), study.slug, small_archive())

    assert (response.status_code, response.json()) == (
        409,
        {"detail": f"Study '{study.slug}' is recruiting: cases are imported only to a draft."},
    )
    assert not Job.objects.filter(kind="import").exists()


def test_given_a_viewer_then_an_upload_is_403_and_a_stranger_404():
    study = gaube_study(owner=UserFactory(username="pi"), open_study=False)
    viewer = member(study, "viewer", "viewer")

    as_viewer = upload(token_client(viewer), study.slug, small_archive())
    as_stranger = upload(token_client(UserFactory(username="x")), study.slug, small_archive())

    assert as_viewer.status_code == 403
    assert as_viewer.json() == {
        "detail": f"Your role in study '{study.slug}' (viewer) does not allow this."
    }
    assert (as_stranger.status_code, as_stranger.json()) == (
        404,
        {"detail": "No such study for this account."},
    )


def test_given_an_upload_over_the_limit_then_413_and_no_job(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)

    response = upload(token_client(owner), study.slug, small_archive())

    assert response.status_code == 413
    assert response.json()["detail"].startswith(
        "The upload is larger than 1000 bytes, the most this server accepts at once"
    )
    assert not Job.objects.exists()


def test_given_a_broker_then_an_upload_is_202_with_the_queued_import_job(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # queued on commit; the test never commits
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)

    response = upload(token_client(owner), study.slug, small_archive())

    job = Job.objects.get(study=study, kind="import")
    assert (response.status_code, response.json()["public_id"]) == (202, job.public_id)
    assert (
        response["Location"] == f"http://testserver/api/studies/{study.slug}/jobs/{job.public_id}/"
    )
    assert job.status == "queued"
