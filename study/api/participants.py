"""API participants: the list (READ: public id, label, status, stratum, arm; never the link
token), and withdrawal by a researcher (WRITE), through the one withdrawal service, as the
console does it: the reason is required; a repeat answers with the first record."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from study import permissions, services
from study.selectors.lists import study_participants_listed
from study.selectors.roster import study_participant
from study.services.withdrawals import WithdrawalInvalid, WithdrawalRefused

from .errors import (
    BAD_REQUEST,
    LISTED,
    SIGNED_IN,
    SLUG,
    UNSUPPORTED_MEDIA_TYPE,
    ErrorDetailSerializer,
)
from .filters import ParticipantsQuery, query_values
from .records import ParticipantRowSerializer
from .serializers import ParticipantWithdrawnSerializer, WithdrawalSerializer
from .views import _study

NO_SUCH_PARTICIPANT = "No such participant in this study."
# What the URL's <str:...> converter matches.
PUBLIC_ID_PATTERN = r"^[^/]+$"


@extend_schema_view(
    get=extend_schema(
        parameters=[SLUG, ParticipantsQuery],
        responses={200: ParticipantRowSerializer(many=True), **LISTED},
    )
)
class ParticipantList(generics.ListAPIView):
    serializer_class = ParticipantRowSerializer

    def get_queryset(self):
        study = _study(self.request, self.kwargs["slug"])
        return study_participants_listed(
            study=study, **query_values(ParticipantsQuery, self.request)
        )


class ParticipantWithdraw(APIView):
    """POST {"reason": ...}: the participant is withdrawn (200 with what is kept; the same
    answer when they had already withdrawn), 400 without a reason, 404 for a participant not in
    the study, 409 for one who never took part (declined, screened out)."""

    @extend_schema(
        parameters=[
            SLUG,
            OpenApiParameter(
                "public_id",
                str,
                OpenApiParameter.PATH,
                pattern=PUBLIC_ID_PATTERN,
                description="the participant's public id",
            ),
        ],
        request=WithdrawalSerializer,
        responses={
            200: ParticipantWithdrawnSerializer,
            400: OpenApiResponse(
                BAD_REQUEST.response, description="no reason, or a reason over 2000 characters"
            ),
            **SIGNED_IN,
            404: OpenApiResponse(
                ErrorDetailSerializer, description="no such study, or no such participant in it"
            ),
            409: OpenApiResponse(
                ErrorDetailSerializer, description="the participant never took part"
            ),
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, slug, public_id):
        study = _study(request, slug, permissions.WRITE)
        participant = study_participant(study=study, public_id=public_id)
        if participant is None:
            raise NotFound(NO_SUCH_PARTICIPANT)
        withdrawal = WithdrawalSerializer(data=request.data)
        withdrawal.is_valid(raise_exception=True)
        try:
            participant = services.participant_withdraw(
                participant=participant,
                actor=request.user,
                by="researcher",
                reason=withdrawal.validated_data["reason"],
            )
        except WithdrawalInvalid as refusal:
            raise ValidationError({"reason": [str(refusal)]}) from None
        except WithdrawalRefused as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_409_CONFLICT)
        return Response(ParticipantWithdrawnSerializer(participant).data)
