"""Researcher API (a token for scripts, the session for the console): studies and their cases,
listed, filtered and paged; new studies from a template, case archives, design amendments after
the lock. Per-study access from study.permissions (changing a study needs WRITE)."""

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from study import permissions, selectors, services, uploads
from study.core.allocation import DesignError
from study.core.design_templates import UnknownTemplate
from study.models import Job, Study
from study.selectors.lists import studies_listed, study_cases_listed
from study.selectors.studies import study_design_version
from study.services.amendments import AmendmentError, design_amend
from study.services.designs import study_from_template

from .errors import (
    BAD_REQUEST,
    CONFLICT,
    LISTED,
    NOT_FOUND,
    SIGNED_IN,
    SLUG,
    UNSUPPORTED_MEDIA_TYPE,
    ErrorDetailSerializer,
)
from .filters import CasesQuery, StudiesQuery, query_values
from .records import (
    CaseArchiveSerializer,
    ImportReportSerializer,
    JobSerializer,
    StudyCreateSerializer,
)
from .serializers import (
    AmendmentSerializer,
    CaseSerializer,
    ProgressSerializer,
    StudySerializer,
)


def _study(request, slug: str, action: permissions.Action = permissions.READ) -> Study:
    try:
        return permissions.study_for_user(slug=slug, user=request.user, action=action)
    except Http404:
        raise NotFound(permissions.NOT_FOUND) from None


@csrf_exempt  # it changes nothing: a POST to it is a 404 too, not the CSRF page
def no_such_url(request: HttpRequest) -> JsonResponse:
    """An API URL that matches no route (a slug the URL converters refuse, a typo): a JSON 404
    like an unknown study's, not Django's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


NOT_STARTED = "Your account may not start studies; ask an administrator."


@extend_schema_view(
    get=extend_schema(
        parameters=[StudiesQuery],
        responses={200: StudySerializer(many=True), 400: BAD_REQUEST, **SIGNED_IN},
    )
)
class StudyList(generics.ListAPIView):
    """GET the studies the account sees; POST {template, title, slug}: a new draft from a
    design template (201), as the console's "New study from template" makes it."""

    serializer_class = StudySerializer

    def get_queryset(self):
        visible = permissions.studies_visible(user=self.request.user)
        return studies_listed(studies=visible, **query_values(StudiesQuery, self.request))

    @extend_schema(
        request=StudyCreateSerializer,
        responses={
            201: StudySerializer,
            400: BAD_REQUEST,
            **SIGNED_IN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request):
        if not permissions.studies_may_start(user=request.user):
            raise PermissionDenied(NOT_STARTED)
        asked = StudyCreateSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            study = study_from_template(owner=request.user, **asked.validated_data)
        except (DesignError, UnknownTemplate) as refusal:
            field = getattr(refusal, "field", None)
            name = field if field in asked.fields else "non_field_errors"
            raise ValidationError({name: [str(refusal)]}) from None
        return Response(
            StudySerializer(_study(request, study.slug)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    get=extend_schema(
        parameters=[SLUG], responses={200: StudySerializer, **SIGNED_IN, 404: NOT_FOUND}
    )
)
class StudyDetail(generics.RetrieveAPIView):
    serializer_class = StudySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.studies_with_arms(
            studies=permissions.studies_visible(user=self.request.user)
        )


def _import_refusal(result: dict) -> dict:
    """A refused import's report (the job's result) as field errors: row by row, file by file."""
    problems = list(result["manifest_problems"])
    if result["problems_not_listed"]:
        problems.append(f"... and {result['problems_not_listed']} more problems")
    refused = [
        f"{o['file']}: {o['message']}" for o in result["outcomes"] if o["status"] == "refused"
    ]
    return {
        "archive": ["Nothing was imported: the archive has problems."],
        **({"manifest": problems} if problems else {}),
        **({"files": refused} if refused else {}),
    }


def _import_answer(request, job: Job) -> Response:
    if job.status == Job.Status.DONE and job.result.get("stored"):
        outcomes = job.result["outcomes"]
        report = {
            "imported": job.result["imported"],
            "needs_review": [o["case"] for o in outcomes if o["status"] == "needs_review"],
            "files": outcomes,
            "job": job.public_id,
        }
        return Response(report, status=status.HTTP_201_CREATED)
    if job.status == Job.Status.DONE:
        raise ValidationError(_import_refusal(job.result))
    if job.status == Job.Status.FAILED:
        if job.result.get("refusal") == "store":
            return Response({"detail": job.message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        raise ValidationError({"archive": [job.message]})
    # With a broker: queued for a worker; the job's URL follows it.
    answer = JobSerializer(job, context={"request": request}).data
    return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]})


@extend_schema_view(
    get=extend_schema(
        parameters=[SLUG, CasesQuery], responses={200: CaseSerializer(many=True), **LISTED}
    )
)
class StudyCases(generics.ListAPIView):
    """GET the study's cases; POST a case archive (multipart, field "archive") to a draft, as
    an import job: every case of its manifest is imported (201 with each file's outcome) or
    none is (400 saying why, row by row and file by file); with a broker, 202 with the job."""

    serializer_class = CaseSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        study = _study(self.request, self.kwargs["slug"])
        return study_cases_listed(study=study, **query_values(CasesQuery, self.request))

    @extend_schema(
        parameters=[SLUG],
        request={"multipart/form-data": CaseArchiveSerializer},
        responses={
            201: ImportReportSerializer,
            202: OpenApiResponse(JobSerializer, description="queued for a worker (a broker)"),
            400: BAD_REQUEST,
            **SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(ErrorDetailSerializer, description="the study is not a draft"),
            413: OpenApiResponse(ErrorDetailSerializer, description="the upload is too large"),
            415: UNSUPPORTED_MEDIA_TYPE,
            503: OpenApiResponse(ErrorDetailSerializer, description="the storage refused"),
        },
    )
    def post(self, request, slug):
        study = _study(request, slug, permissions.WRITE)
        upload = CaseArchiveSerializer(data=request.data)
        too_large = uploads.upload_refusal(request._request)  # DRF parsed it: the refusal is set
        if too_large:
            return Response({"detail": too_large}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        upload.is_valid(raise_exception=True)
        if study.status != Study.Status.DRAFT:
            # The import would refuse it too (after opening, a new case could reach
            # participants before its review); the answer says it is the study's state.
            detail = f"Study '{study.slug}' is {study.status}: cases are imported only to a draft."
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        archive = upload.validated_data["archive"]
        try:
            job = services.job_start(
                study=study,
                kind=Job.Kind.IMPORT,
                actor=request.user,
                params={"archive_name": archive.name, "via": "api"},
                input_file=archive,
                input_name="archive.zip",
            )
        except OSError as failure:
            detail = (
                f"{archive.name}: nothing was imported, because the upload could not be kept "
                f"for the import ({failure.strerror or failure})."
            )
            return Response({"detail": detail}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return _import_answer(request, job)


class StudyProgress(APIView):
    @extend_schema(
        parameters=[SLUG], responses={200: ProgressSerializer, **SIGNED_IN, 404: NOT_FOUND}
    )
    def get(self, request, slug):
        progress = selectors.study_progress(study=_study(request, slug))
        return Response(ProgressSerializer(progress).data)


class StudyAmendments(APIView):
    """POST an amendment: new texts and the reason; answered with the study (201 when a new
    design version was recorded, 200 when nothing changed, 409 when the design is not locked
    yet or a design setting would change)."""

    @extend_schema(
        parameters=[SLUG],
        request=AmendmentSerializer,
        responses={
            201: StudySerializer,
            200: StudySerializer,
            400: BAD_REQUEST,
            **SIGNED_IN,
            404: NOT_FOUND,
            409: CONFLICT,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, slug):
        study = _study(request, slug, permissions.WRITE)
        amendment = AmendmentSerializer(data=request.data)
        amendment.is_valid(raise_exception=True)
        fields = dict(amendment.validated_data)
        before = study_design_version(study=study)
        try:
            design_amend(study=study, actor=request.user, reason=fields.pop("reason"), **fields)
        except AmendmentError as refusal:
            raise ValidationError({refusal.field or "non_field_errors": [str(refusal)]}) from None
        except DesignError as refusal:  # a text the study cannot run without, left empty
            name = str(refusal).split(":", 1)[0]
            field = name if name in fields else "non_field_errors"
            raise ValidationError({field: [str(refusal)]}) from None
        except services.StudyStateError as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_409_CONFLICT)
        study = _study(request, slug)
        created = study_design_version(study=study) != before
        return Response(
            StudySerializer(study).data, status=status.HTTP_201_CREATED if created else 200
        )
