"""What the schema fuzzing (test_schema_fuzz.py) found, one regression test each: every error
status an operation answers with is in the schema with its body, the downloads name their media
types, a URL no route matches is a JSON 404 (not Django's HTML page), and an amendment's title
that NFC lengthens past the column is a 400, not a 500."""

import pytest
from django.urls import reverse

from study.models import Study
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

LIST = {"400", "401", "403", "404"}
SIGNED_IN = {"401", "403"}
ERROR_STATUSES = {
    ("get", "/api/schema/"): set(),
    ("get", "/api/studies/"): {"400", *SIGNED_IN},
    ("post", "/api/studies/"): {"400", *SIGNED_IN, "415"},
    ("get", "/api/studies/{slug}/"): {*SIGNED_IN, "404"},
    ("get", "/api/studies/{slug}/cases/"): LIST,
    ("post", "/api/studies/{slug}/cases/"): {
        "400",
        *SIGNED_IN,
        "404",
        "409",
        "413",
        "415",
        "503",
    },
    ("get", "/api/studies/{slug}/participants/"): LIST,
    ("get", "/api/studies/{slug}/jobs/"): LIST,
    ("post", "/api/studies/{slug}/jobs/"): {"400", *SIGNED_IN, "404", "415"},
    ("get", "/api/studies/{slug}/jobs/{public_id}/"): {*SIGNED_IN, "404"},
    ("get", "/api/studies/{slug}/jobs/{public_id}/result/"): {*SIGNED_IN, "404", "409"},
    ("get", "/api/studies/{slug}/audit/"): LIST,
    ("post", "/api/studies/{slug}/invitations/"): {"400", *SIGNED_IN, "404", "409", "415"},
    ("post", "/api/studies/{slug}/open/"): {*SIGNED_IN, "404", "409"},
    ("post", "/api/studies/{slug}/close/"): {*SIGNED_IN, "404"},
    ("get", "/api/studies/{slug}/progress/"): {*SIGNED_IN, "404"},
    ("get", "/api/studies/{slug}/export/{table}/"): {"400", *SIGNED_IN, "404", "409"},
    ("post", "/api/studies/{slug}/amendments/"): {"400", *SIGNED_IN, "404", "409", "415"},
    ("post", "/api/studies/{slug}/participants/{public_id}/withdraw/"): {
        "400",
        *SIGNED_IN,
        "404",
        "409",
        "415",
    },
}


def test_given_the_schema_then_every_operation_is_in_the_table(schema):
    operations = {(method, path) for path, item in schema["paths"].items() for method in item}

    assert operations == set(ERROR_STATUSES)


@pytest.fixture
def schema(client):
    return client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


@pytest.mark.parametrize(("method", "path"), sorted(ERROR_STATUSES))
def test_given_the_schema_then_every_error_status_is_documented_with_its_body(schema, method, path):
    responses = schema["paths"][path][method]["responses"]

    errors = {code for code in responses if not code.startswith("2")}

    assert errors == ERROR_STATUSES[(method, path)]
    for code in errors - {"400"}:
        body = responses[code]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ErrorDetail"}


def test_given_the_schema_then_a_download_names_its_media_types_and_tables(schema):
    operation = schema["paths"]["/api/studies/{slug}/export/{table}/"]["get"]

    media_types = set(operation["responses"]["200"]["content"])
    table = next(p for p in operation["parameters"] if p["name"] == "table")

    assert media_types == {"text/csv", "application/vnd.apache.parquet", "application/zip"}
    assert table["schema"]["enum"] == [  # drf-spectacular sorts an enum
        "allocation",
        "audit",
        "bundle",
        "cases",
        "participants",
        "trials",
    ]


def test_given_the_schema_then_the_path_parameters_say_what_the_urls_match(schema):
    operation = schema["paths"]["/api/studies/{slug}/participants/{public_id}/withdraw/"]["post"]

    patterns = {p["name"]: p["schema"].get("pattern") for p in operation["parameters"]}

    assert patterns == {"slug": "^[-a-zA-Z0-9_]+$", "public_id": "^[^/]+$"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/studies/%C2%84/",  # a slug the <slug:> converter refuses
        "/api/studies/a%0Ab/cases/",  # a newline, which a regex's "." does not match
        "/api/studies/%C2%84/amendments/",
        "/api/studies/a-study/export/null%2Cnull/",
        "/api/studies/a-study/participants/a%2Fb/withdraw/",
        "/api/no-such-endpoint/",
    ],
)
def test_given_a_url_no_route_matches_then_a_json_404(client, path):
    client.force_login(UserFactory(username="member"))

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_given_an_api_url_without_its_slash_then_it_still_redirects(client):
    assert client.get("/api/studies").headers["Location"] == "/api/studies/"


def test_given_a_title_that_normalisation_lengthens_past_200_then_400_and_nothing_changes(client):
    # U+0958 is one character typed and two once NFC-normalised: 200 typed fit the serializer's
    # max_length, 400 stored did not fit the column (a DataError, 500, on PostgreSQL).
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, title="Before")
    enrolled_participant(study)
    client.force_login(owner)

    response = client.post(
        reverse("api:amendments", args=[study.slug]),
        {"reason": "Retitled.", "title": "\u0958" * 200},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "title": [
            "Ensure this field has no more than 200 characters "
            "(counted after Unicode NFC normalisation)."
        ]
    }
    assert Study.objects.get(pk=study.pk).title == "Before"


def test_given_a_title_of_200_characters_after_normalisation_then_it_is_amended(client):
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, title="Before")
    enrolled_participant(study)
    client.force_login(owner)

    response = client.post(
        reverse("api:amendments", args=[study.slug]),
        {"reason": "Retitled.", "title": "\u0958" * 100},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Study.objects.get(pk=study.pk).title == "\u0915\u093c" * 100
