"""Researcher API (session authentication): reads, and design amendments after the lock;
per-study access from study.permissions (amending needs WRITE)."""

from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from study import permissions, selectors, services
from study.core.allocation import DesignError
from study.models import Study
from study.selectors.studies import study_design_version
from study.services.amendments import AmendmentError, design_amend

from .errors import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND, SLUG, UNSUPPORTED_MEDIA_TYPE
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


def no_such_url(request: HttpRequest) -> JsonResponse:
    """An API URL that matches no route (a slug the URL converters refuse, a typo): a JSON 404
    like an unknown study's, not Django's HTML page."""
    return JsonResponse({"detail": "Not found."}, status=404)


@extend_schema_view(get=extend_schema(responses={200: StudySerializer(many=True), 403: FORBIDDEN}))
class StudyList(generics.ListAPIView):
    serializer_class = StudySerializer

    def get_queryset(self):
        return selectors.studies_with_arms(
            studies=permissions.studies_visible(user=self.request.user)
        )


@extend_schema_view(
    get=extend_schema(
        parameters=[SLUG], responses={200: StudySerializer, 403: FORBIDDEN, 404: NOT_FOUND}
    )
)
class StudyDetail(generics.RetrieveAPIView):
    serializer_class = StudySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.studies_with_arms(
            studies=permissions.studies_visible(user=self.request.user)
        )


@extend_schema_view(
    get=extend_schema(
        parameters=[SLUG],
        responses={200: CaseSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
)
class StudyCases(generics.ListAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        return selectors.study_cases(study=_study(self.request, self.kwargs["slug"]))


class StudyProgress(APIView):
    @extend_schema(
        parameters=[SLUG], responses={200: ProgressSerializer, 403: FORBIDDEN, 404: NOT_FOUND}
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
            403: FORBIDDEN,
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
