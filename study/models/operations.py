"""Running a study: work done off the request (jobs) and the e-mail addresses invitations go to."""

from django.conf import settings
from django.db import models

from .participant import Participant
from .study import Study


class Job(models.Model):
    """One piece of work done off the request by a Celery task (eagerly in process when no
    broker is configured): a report, a power run, a case import, a bundle export or an e-mail
    batch. The console and the API show its progress; its result is kept here or, for a file,
    in the storage under ``result_file``."""

    class Kind(models.TextChoices):
        REPORT = "report", "Analysis report"
        POWER = "power", "Power simulation"
        IMPORT = "import", "Case import"
        EXPORT = "export", "Export bundle"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # In URLs and API answers (the primary key is not).
    public_id = models.CharField(max_length=16, unique=True)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # What was asked for (JSON-safe: include_synthetic, a power plan, a template name ...).
    params = models.JSONField(default=dict, blank=True)
    # An uploaded input (a case archive) the worker reads from the storage, deleted once read.
    input_file = models.FileField(upload_to="jobs/input/", blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    # One line for people: what it is doing now, or what came of it.
    message = models.CharField(max_length=500, blank=True)
    # A small JSON outcome (counts, the import's per-file report, a power estimate).
    result = models.JSONField(default=dict, blank=True)
    result_file = models.FileField(upload_to="jobs/result/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    # A report is cached by the sha256 of the data it was fitted on (and its options).
    data_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["study", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id} ({self.status})"


class InvitationEmail(models.Model):
    """The e-mail address an invitation link goes to. Personal data: never exported, never in
    the audit log (which names the participant's public id), never shown to other participants;
    a participant who unsubscribes gets no further reminder."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="invitation_email"
    )
    address = models.EmailField(max_length=254)
    # The unsubscribe link's secret (not the participant's token: the link works without it).
    unsubscribe_token = models.CharField(max_length=64, unique=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # The last failure (after the worker's retries), for the console's list.
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"e-mail for {self.participant.public_id}"
