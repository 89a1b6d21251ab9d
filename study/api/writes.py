"""API writes to a study's recruitment (WRITE, as on the console): open and close it, create
invitation links. Each is one service call, audited there."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from study import permissions, services
from study.core.allocation import DesignError
from study.models import Study

from .errors import BAD_REQUEST, NOT_FOUND, SIGNED_IN, SLUG, UNSUPPORTED_MEDIA_TYPE
from .errors import ErrorDetailSerializer as Detail
from .records import InvitationsCreatedSerializer, InvitationsCreateSerializer
from .serializers import StudySerializer
from .views import _study

NOT_OPENED = OpenApiResponse(
    Detail, description="the design or the cases are not ready, or the study is closed"
)


class StudyOpen(APIView):
    """POST: the study starts recruiting (200 with the study; a recruiting study stays so);
    409 saying what is missing when it cannot."""

    @extend_schema(
        parameters=[SLUG],
        request=None,
        responses={200: StudySerializer, **SIGNED_IN, 404: NOT_FOUND, 409: NOT_OPENED},
    )
    def post(self, request, slug):
        study = _study(request, slug, permissions.WRITE)
        try:
            services.study_open(study=study, actor=request.user)
        except (DesignError, services.StudyStateError) as refusal:
            detail = f"The study cannot open: {refusal}"
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        return Response(StudySerializer(_study(request, slug)).data)


class StudyClose(APIView):
    """POST: recruitment closes (200 with the study); participants in progress can finish."""

    @extend_schema(
        parameters=[SLUG],
        request=None,
        responses={200: StudySerializer, **SIGNED_IN, 404: NOT_FOUND},
    )
    def post(self, request, slug):
        study = _study(request, slug, permissions.WRITE)
        services.study_close(study=study, actor=request.user)
        return Response(StudySerializer(_study(request, slug)).data)


class StudyInvitations(APIView):
    """POST {count, label_prefix}: ``count`` new invitation links (201), each with its public
    id, label and the full link to send; the links are in this answer only. A closed study
    takes no new links (409)."""

    @extend_schema(
        parameters=[SLUG],
        request=InvitationsCreateSerializer,
        responses={
            201: InvitationsCreatedSerializer,
            400: BAD_REQUEST,
            **SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(Detail, description="the study is closed"),
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, slug):
        study = _study(request, slug, permissions.WRITE)
        asked = InvitationsCreateSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            participants = services.links_create(
                study=study,
                count=asked.validated_data["count"],
                label_prefix=asked.validated_data["label_prefix"],
                actor=request.user,
            )
        except services.LinkRefused as refusal:
            if study.status == Study.Status.CLOSED:
                return Response({"detail": str(refusal)}, status=status.HTTP_409_CONFLICT)
            # The count is checked by the serializer: what is left is the prefix.
            raise ValidationError({"label_prefix": [str(refusal)]}) from None
        invitations = [
            {
                "public_id": participant.public_id,
                "label": participant.label,
                "link": request.build_absolute_uri(
                    reverse("participant:entry", args=[participant.token])
                ),
            }
            for participant in participants
        ]
        created = {"count": len(invitations), "invitations": invitations}
        response = Response(InvitationsCreatedSerializer(created).data, status=201)
        response["Cache-Control"] = "private, no-store"  # the links are the participants' keys
        return response
