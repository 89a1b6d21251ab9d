"""API jobs (study.services.jobs): start a report or an export bundle (202 with the job, which
without a broker has already run), follow a job, download its result. Starting either needs
what the console asks for it (READ: a viewer may fit the report and export, as on the console)."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from study import permissions, selectors, services
from study.models import Job
from study.selectors.lists import study_jobs_listed

from .errors import (
    BAD_REQUEST,
    FORBIDDEN,
    LISTED,
    SIGNED_IN,
    SLUG,
    UNAUTHORIZED,
    UNSUPPORTED_MEDIA_TYPE,
    ErrorDetailSerializer,
)
from .filters import JobsQuery, query_values
from .records import JobSerializer, JobStartSerializer
from .views import _study

NO_SUCH_JOB = "No such job in this study."
PUBLIC_ID_MAX = Job._meta.get_field("public_id").max_length
FREE_TEXT_REFUSED = (
    "This export holds free-text answers, which viewers of this study may not download: "
    "start an export of your own (it leaves them out)."
)
JOB = OpenApiParameter(
    "public_id", str, OpenApiParameter.PATH, pattern=r"^[^/]+$", description="the job's id"
)
NOT_FOUND_JOB = OpenApiResponse(ErrorDetailSerializer, description="no such study, or job in it")
# What a result is downloaded as: the report's HTML page, the export's zip.
RESULT_MEDIA_TYPES = ("text/html", "application/zip", "application/octet-stream")


def _job(request, slug: str, public_id: str) -> Job:
    study = _study(request, slug)
    # A NUL (which PostgreSQL refuses in text) or an over-long id was never issued.
    if "\x00" in public_id or len(public_id) > PUBLIC_ID_MAX:
        raise NotFound(NO_SUCH_JOB)
    job = selectors.study_job(study=study, public_id=public_id)
    if job is None:
        raise NotFound(NO_SUCH_JOB)
    return job


@extend_schema_view(
    get=extend_schema(
        parameters=[SLUG, JobsQuery], responses={200: JobSerializer(many=True), **LISTED}
    )
)
class StudyJobs(generics.ListAPIView):
    """GET the study's jobs, newest first; POST {kind: report|export, include_synthetic}: start
    one (202 with the job and its URL in Location)."""

    serializer_class = JobSerializer

    def get_queryset(self):
        study = _study(self.request, self.kwargs["slug"])
        return study_jobs_listed(study=study, **query_values(JobsQuery, self.request))

    @extend_schema(
        parameters=[SLUG],
        request=JobStartSerializer,
        responses={
            202: JobSerializer,
            400: BAD_REQUEST,
            **SIGNED_IN,
            404: NOT_FOUND_JOB,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, slug):
        study = _study(request, slug)
        asked = JobStartSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        # A demo or a pilot is simulated data by design: its report and export include it.
        include_synthetic = (
            study.is_demo or study.pilot_mode or asked.validated_data["include_synthetic"]
        )
        job = services.job_start(
            study=study,
            kind=asked.validated_data["kind"],
            actor=request.user,
            params={"include_synthetic": include_synthetic, "via": "api"},
        )
        answer = JobSerializer(job, context={"request": request}).data
        return Response(
            answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["url"]}
        )


class JobDetail(APIView):
    @extend_schema(
        parameters=[SLUG, JOB], responses={200: JobSerializer, **SIGNED_IN, 404: NOT_FOUND_JOB}
    )
    def get(self, request, slug, public_id):
        job = _job(request, slug, public_id)
        return Response(JobSerializer(job, context={"request": request}).data)


class JobResult(APIView):
    """GET the finished job's file (the report's HTML, the export's zip); 409 while the job is
    queued or running, or when it failed or made no file; 403 for a viewer asking for an export
    made with free-text answers (study.permissions.job_result_allowed)."""

    @extend_schema(
        parameters=[SLUG, JOB],
        responses={
            **{(200, media_type): OpenApiTypes.BINARY for media_type in RESULT_MEDIA_TYPES},
            (401, "application/json"): UNAUTHORIZED,
            (403, "application/json"): FORBIDDEN,
            (404, "application/json"): NOT_FOUND_JOB,
            (409, "application/json"): OpenApiResponse(
                ErrorDetailSerializer, description="the job has no result (yet)"
            ),
        },
    )
    def get(self, request, slug, public_id):
        job = _job(request, slug, public_id)
        if job.status != Job.Status.DONE or not job.result_file:
            why = {
                Job.Status.QUEUED: "is waiting for a worker",
                Job.Status.RUNNING: "is still running",
                Job.Status.FAILED: f"failed: {job.message}",
            }.get(job.status, "made no file")
            return Response({"detail": f"Job {job.public_id} {why}."}, status=409)
        if not permissions.job_result_allowed(job=job, user=request.user):
            raise PermissionDenied(FREE_TEXT_REFUSED)
        response = FileResponse(
            job.result_file.open("rb"),
            content_type=job.result_type or "application/octet-stream",
            as_attachment=True,
            filename=job.result_name,
        )
        response["Cache-Control"] = "private, no-store"
        return response
