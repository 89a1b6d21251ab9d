"""study/api/index.py: /api/ lists every endpoint with the schema and the docs; the schema is
text in a browser and JSON by ?format=json; the docs page loads Swagger UI from local files
with no inline script or style."""

import re

import pytest
from django.urls import get_resolver

from study.api import index

pytestmark = pytest.mark.django_db


def test_given_the_index_then_it_links_every_endpoint_schema_and_docs(client):
    response = client.get("/api/")

    assert response.status_code == 200
    body = response.json()
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["schema_json"] == "http://testserver/api/schema/?format=json"
    assert body["docs"] == "http://testserver/api/docs/"
    paths = {endpoint["name"]: endpoint["path"] for endpoint in body["endpoints"]}
    assert paths["job_result"] == "/api/studies/{slug}/jobs/{public_id}/result/"
    assert paths["invitations"] == "/api/studies/{slug}/invitations/"


def test_given_the_url_patterns_then_the_index_names_every_endpoint():
    (api,) = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/"]
    named = {p.name for p in api.url_patterns if p.name} - {"index", "schema", "docs"}

    assert named == {name for name, _ in index.ENDPOINTS}


def test_given_a_browser_then_the_schema_is_yaml_text_not_a_download(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline;")  # shown, not saved
    assert response.content.decode().startswith("openapi: 3.0.3\n")


def test_given_format_json_then_the_schema_is_json(client):
    response = client.get("/api/schema/?format=json")

    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    assert response.json()["info"]["title"] == "TrustLab API"


def test_given_the_docs_then_swagger_ui_comes_from_local_static_files_with_no_inline_code(client):
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]
    assert "<style" not in page
    assert re.findall(r"<script>", page) == []
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"] == "application/javascript"
    assert '"/api/schema/"' in script.content.decode()
