"""/api/ (an index of every endpoint), /api/schema/ (OpenAPI 3: YAML as text a browser shows,
JSON by ?format=json or Accept) and /api/docs/ (Swagger UI from drf-spectacular-sidecar's local
files, its start script a file of its own: the site's CSP allows no inline script or style)."""

from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

# Each endpoint: its name in study/api/urls.py and what it does (the slug and ids as {braces}).
ENDPOINTS = (
    ("studies", "GET the studies you see (filter: status); POST a new study from a template"),
    ("study", "GET one study's design"),
    ("cases", "GET the study's cases; POST a case archive (multipart, field archive)"),
    ("participants", "GET the study's participants (filters: status, stratum, arm, label)"),
    ("participant_withdraw", "POST a researcher's withdrawal of a participant"),
    ("invitations", "POST {count, label_prefix}: new invitation links"),
    ("study_open", "POST: start recruiting"),
    ("study_close", "POST: close recruitment"),
    ("progress", "GET recruitment progress by stratum and arm"),
    ("amendments", "POST an amendment of the texts after the first enrolment"),
    ("jobs", "GET the study's jobs; POST {kind: report|export}: start one"),
    ("job", "GET one job's state"),
    ("job_result", "GET a finished job's file"),
    ("audit", "GET the study's audit log (filters: action, actor, participant, since, until)"),
    ("export", "GET an export table (csv or parquet) or the bundle (zip)"),
)
_PLACEHOLDERS = {
    "studies": (),
    "study": ("{slug}",),
    "job": ("{slug}", "{public_id}"),
    "job_result": ("{slug}", "{public_id}"),
    "participant_withdraw": ("{slug}", "{public_id}"),
    "export": ("{slug}", "{table}"),
}


class PlainYamlRenderer(OpenApiYamlRenderer):
    """The schema's YAML as text/plain, first: a browser (Accept: text/html, */*) shows it."""

    media_type = "text/plain"
    charset = "utf-8"


class Schema(SpectacularAPIView):
    renderer_classes = [
        PlainYamlRenderer,
        OpenApiYamlRenderer,
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
    ]


class Docs(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


def _path(name: str) -> str:
    # The URL with its parameters as {braces}: reversed with placeholders, then unquoted.
    args = _PLACEHOLDERS.get(name, ("{slug}",))
    placeholders = [f"x{index}x" for index in range(len(args))]
    url = reverse(f"api:{name}", args=placeholders)
    for placeholder, arg in zip(placeholders, args, strict=True):
        url = url.replace(placeholder, arg)
    return url


class Index(APIView):
    """Every endpoint of the API with what it does; the schema and the docs."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {
                "version": "v1",
                "authentication": "Authorization: Token <key> (console: API tokens), or the "
                "console's session",
                "schema": reverse("api:schema", request=request),
                "schema_json": reverse("api:schema", request=request) + "?format=json",
                "docs": reverse("api:docs", request=request),
                "endpoints": [
                    {"name": name, "path": _path(name), "description": description}
                    for name, description in ENDPOINTS
                ],
            }
        )
