"""Participants, their trials (fixed at enrolment) and one response per trial."""

from django.db import models
from django.db.models import F, Q

from .case import Advice, Case
from .study import Arm, Study


class Participant(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        DECLINED = "declined", "Declined consent"
        CONSENTED = "consented", "Consented"
        INELIGIBLE = "ineligible", "Screened out"
        STRATUM_FULL = "stratum_full", "Stratum quota reached"
        REISSUED = "reissued", "Slot reissued (no answer in time)"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REVOKED = "revoked", "Link revoked (never used)"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="participants")
    # The invitation secret; never exported, never logged.
    token = models.CharField(max_length=64, unique=True)
    # Pseudonymous id for exports and the console.
    public_id = models.CharField(max_length=16, unique=True)
    # The team's own name for the link (a site, a mailing list); never shown to participants.
    label = models.CharField(max_length=100, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INVITED)
    stratum = models.SlugField(max_length=40, blank=True)
    specialty = models.SlugField(max_length=40, blank=True)
    training_level = models.SlugField(max_length=40, blank=True)
    years_experience = models.PositiveSmallIntegerField(null=True, blank=True)
    prior_ai_use = models.SlugField(max_length=40, blank=True)
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, null=True, blank=True)
    slot = models.PositiveIntegerField(null=True, blank=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    questionnaire_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    questionnaire = models.JSONField(default=dict, blank=True)
    completion_code = models.CharField(max_length=20, blank=True)
    # The design version (DesignVersion.version) the participant was enrolled under.
    design_version = models.PositiveSmallIntegerField(null=True, blank=True)
    # Simulated (the simulate command, bots): never mixed into exports unless asked for.
    synthetic = models.BooleanField(default=False)
    # Last time the participant's session did anything (for "abandoned" after inactivity).
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # Withdrawal: what is kept is the fact, the time, the step and who asked (DESIGN.md).
    withdrawn_step = models.CharField(max_length=20, blank=True)
    withdrawn_by = models.CharField(max_length=12, blank=True)  # participant | researcher
    withdrawal_reason = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    external_id = models.CharField(max_length=100, blank=True)  # a panel's participant id
    # The panel's further session parameters from the link (Study.panel_session_params).
    panel_params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["study", "invited_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "stratum", "slot"],
                condition=Q(slot__isnull=False),
                name="participant_unique_slot",
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=True) | Q(arm__isnull=False),
                name="participant_slot_has_arm",
            ),
            # One participant per panel id and study: a panel participant opening the link
            # again resumes, never enrols twice.
            models.UniqueConstraint(
                fields=["study", "external_id"],
                condition=~Q(external_id=""),
                name="participant_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class Trial(models.Model):
    """One case shown to one participant: made at enrolment from the allocation, never re-drawn."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="trials")
    position = models.PositiveSmallIntegerField()
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="trials")
    advice = models.ForeignKey(Advice, on_delete=models.PROTECT, related_name="trials")
    is_training = models.BooleanField(default=False)
    annotation_shown = models.BooleanField(default=False)
    # The advice's displayed confidence was shown (the study's confidence_display and the arm).
    confidence_shown = models.BooleanField(default=False)
    source_label = models.CharField(max_length=100)  # snapshot of the arm label shown
    shown_at = models.DateTimeField(null=True, blank=True)
    # Read-then-reveal: the unaided read is stored before the advice is revealed.
    unaided_diagnosis = models.SlugField(max_length=60, blank=True)
    unaided_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    advice_shown_at = models.DateTimeField(null=True, blank=True)
    # Training feedback: when the participant went on from the feedback page of this trial.
    feedback_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "position"], name="trial_unique_position"
            ),
            models.UniqueConstraint(fields=["participant", "case"], name="trial_unique_case"),
            models.CheckConstraint(condition=Q(position__gte=1), name="trial_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}#{self.position}"


class Response(models.Model):
    """One answer per trial. Which fields hold a value depends on the study's response mode and
    switched-on questions (study.core.questions); a question not asked is stored empty."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept the advice"
        MODIFY = "modify", "Slightly modify the advice"
        REJECT = "reject", "Reject the advice"

    trial = models.OneToOneField(Trial, on_delete=models.PROTECT, related_name="response")
    response_mode = models.CharField(max_length=16, default="gaube")
    advice_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_scale_max = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    # Agree/disagree mode: the button pressed (None when the mode is another).
    agreed = models.BooleanField(null=True, blank=True)
    final_diagnosis = models.SlugField(max_length=60, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    confidence_scale_max = models.PositiveSmallIntegerField()
    answered_at = models.DateTimeField()
    # Client-measured: time the page was visible and active, and advice shown -> submit.
    client_active_ms = models.PositiveIntegerField(null=True, blank=True)
    client_response_ms = models.PositiveIntegerField(null=True, blank=True)
    timing_flag = models.CharField(max_length=20, blank=True)  # why a client time was dropped
    viewer_interactions = models.PositiveIntegerField(null=True, blank=True)  # all kinds
    # Per kind; empty (not 0) when the page sent none or sent a value that was dropped.
    viewer_zoom = models.PositiveIntegerField(null=True, blank=True)
    viewer_pan = models.PositiveIntegerField(null=True, blank=True)
    viewer_window = models.PositiveIntegerField(null=True, blank=True)
    viewer_invert = models.PositiveIntegerField(null=True, blank=True)
    viewer_fullscreen = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(advice_rating__isnull=True)
                | Q(advice_rating__gte=1, advice_rating__lte=F("rating_scale_max")),
                name="response_rating_in_scale",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True)
                | Q(confidence__gte=1, confidence__lte=F("confidence_scale_max")),
                name="response_confidence_in_scale",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["accept", "modify", "reject", ""]),
                name="response_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(response_mode__in=["gaube", "agree_disagree", "category"]),
                name="response_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"response to {self.trial_id}"
