"""API downloads: any export table as CSV or Parquet, or the zip bundle, exactly as the console
and `manage.py export` give them (one service, audited with via="api")."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from study import services
from study.core import allocation
from study.http import download_response

from .errors import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, SLUG, UNAUTHORIZED
from .views import _study

# Every table as the file it is downloaded as.
EXPORT_MEDIA_TYPES = ("text/csv", "application/vnd.apache.parquet", "application/zip")

_TRUE = ("1", "true", "yes")


class StudyExport(APIView):
    @extend_schema(
        parameters=[
            SLUG,
            OpenApiParameter(
                "table",
                str,
                OpenApiParameter.PATH,
                enum=list(services.EXPORT_TABLES),
                description="a table of the export contract, or bundle for the zip",
            ),
            OpenApiParameter(
                "file_format", str, enum=["csv", "parquet"], description="for a single table"
            ),
            OpenApiParameter(
                "include_synthetic", bool, description="include simulated participants"
            ),
        ],
        responses={
            **{(200, media_type): OpenApiTypes.BINARY for media_type in EXPORT_MEDIA_TYPES},
            (400, "application/json"): OpenApiResponse(
                FIELD_ERRORS, description="an unknown table or file format"
            ),
            (401, "application/json"): UNAUTHORIZED,
            (403, "application/json"): FORBIDDEN,
            (404, "application/json"): NOT_FOUND,
            (409, "application/json"): CONFLICT,
        },
    )
    def get(self, request, slug, table):
        study = _study(request, slug)
        file_format = request.query_params.get("file_format", "csv")
        if table not in services.EXPORT_TABLES:
            raise ValidationError(
                {"table": f"unknown table '{table}': choose one of "
                 f"{', '.join(services.EXPORT_TABLES)}"}
            )  # fmt: skip
        if file_format not in ("csv", "parquet"):
            raise ValidationError({"file_format": "choose csv or parquet"})
        try:
            return download_response(
                lambda handle: services.study_export(
                    study=study,
                    table=table,
                    handle=handle,
                    actor=request.user,
                    via="api",
                    include_synthetic=request.query_params.get("include_synthetic") in _TRUE,
                    file_format=file_format,
                )
            )
        except allocation.DesignError as problem:
            # The allocation table (alone or in the bundle) of a draft that cannot be allocated
            # yet (too few cases...): the study's state refuses it, as on the console.
            detail = f"no {table} export until the design can be allocated: {problem}"
            return Response({"detail": detail}, status=409)
