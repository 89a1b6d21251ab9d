"""Append-only audit trail: who did what to which study, and when."""

from django.conf import settings
from django.db import models

from .study import Study


class AuditEvent(models.Model):
    """One event, written once through study.services.audit.audit_record and never changed.

    Append-only in the database: triggers (migration 0006) refuse every UPDATE and DELETE of a
    row. So the SET_NULL of study and actor never runs: deleting an audited study or user fails
    at the database, as intended (studies are closed, never deleted; users are deactivated)."""

    study = models.ForeignKey(
        Study, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    participant_public_id = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=60)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
