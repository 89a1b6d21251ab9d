"""The study's audit log through the API (READ): every event, newest first, filtered by action,
account, participant and time, paged."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from study.selectors.lists import study_audit_listed

from .errors import LISTED, SLUG
from .filters import AuditQuery, query_values
from .records import AuditEventSerializer
from .views import _study


@extend_schema_view(
    get=extend_schema(
        parameters=[SLUG, AuditQuery], responses={200: AuditEventSerializer(many=True), **LISTED}
    )
)
class StudyAudit(generics.ListAPIView):
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        study = _study(self.request, self.kwargs["slug"])
        return study_audit_listed(study=study, **query_values(AuditQuery, self.request))
