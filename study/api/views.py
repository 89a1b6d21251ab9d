"""Read-only researcher API (session authentication); per-study access from study.permissions."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from study import permissions, selectors
from study.models import Study

from .serializers import CaseSerializer, ProgressSerializer, StudySerializer


def _study(request, slug: str) -> Study:
    try:
        return permissions.study_for_user(slug=slug, user=request.user)
    except Http404:
        raise NotFound(permissions.NOT_FOUND) from None


class StudyList(generics.ListAPIView):
    serializer_class = StudySerializer

    def get_queryset(self):
        return selectors.studies_with_arms(
            studies=permissions.studies_visible(user=self.request.user)
        )


class StudyDetail(generics.RetrieveAPIView):
    serializer_class = StudySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.studies_with_arms(
            studies=permissions.studies_visible(user=self.request.user)
        )


class StudyCases(generics.ListAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        return selectors.study_cases(study=_study(self.request, self.kwargs["slug"]))


class StudyProgress(APIView):
    @extend_schema(responses=ProgressSerializer)
    def get(self, request, slug):
        progress = selectors.study_progress(study=_study(request, slug))
        return Response(ProgressSerializer(progress).data)
