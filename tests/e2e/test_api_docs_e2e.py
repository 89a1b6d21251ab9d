"""/api/docs/ in a real browser: Swagger UI from the sidecar's local files draws every
operation of the schema under the site's strict Content-Security-Policy, nothing blocked (the
page fixture fails the test on any blocked script or style) and nothing fetched elsewhere."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_given_the_api_docs_in_a_browser_then_swagger_ui_draws_the_schema_from_local_files(
    page, live_server
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(f"{live_server.url}/api/docs/")

    assert response is not None
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    script_src = policy.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script_src
    assert "cdn" not in script_src
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("TrustLab API")
    expect(page.get_by_text("/api/studies/{slug}/invitations/", exact=True)).to_be_visible()
    expect(
        page.get_by_text("/api/studies/{slug}/jobs/{public_id}/result/", exact=True)
    ).to_be_visible()
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in url for url in requested)


def test_given_the_schema_in_a_browser_then_it_is_shown_not_downloaded(page, live_server):
    response = page.goto(f"{live_server.url}/api/schema/")

    assert response is not None
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    expect(page.locator("body")).to_contain_text("openapi: 3.0.3")
