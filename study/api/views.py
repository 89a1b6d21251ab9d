"""Read-only researcher API (session authentication, per-study membership)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from study import selectors
from study.models import Study

from .serializers import CaseSerializer, ProgressSerializer, StudySerializer


def _visible_studies(user):
    if user.is_superuser:
        return Study.objects.all()
    return Study.objects.filter(memberships__user=user)


def _study(request, slug: str) -> Study:
    study = _visible_studies(request.user).filter(slug=slug).first()
    if study is None:
        raise NotFound("No such study for this account.")
    return study


class StudyList(generics.ListAPIView):
    serializer_class = StudySerializer

    def get_queryset(self):
        return _visible_studies(self.request.user).prefetch_related("arms").order_by("slug")


class StudyDetail(generics.RetrieveAPIView):
    serializer_class = StudySerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _visible_studies(self.request.user).prefetch_related("arms")


class StudyCases(generics.ListAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        return _study(self.request, self.kwargs["slug"]).cases.all()


class StudyProgress(APIView):
    @extend_schema(responses=ProgressSerializer)
    def get(self, request, slug):
        progress = selectors.study_progress(study=_study(request, slug))
        return Response(ProgressSerializer(progress).data)
