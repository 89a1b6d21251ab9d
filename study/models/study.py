"""Study, its arms, diagnosis options, researcher roles and the per-stratum enrolment counters."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from study.core import instruments


class Study(models.Model):
    """A study is never deleted, only closed: its audit events and design versions are
    append-only in the database (migration 0006), so deleting a study that has either fails."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RECRUITING = "recruiting", "Recruiting"
        CLOSED = "closed", "Closed"

    class OrderPolicy(models.TextChoices):
        RANDOM = "random", "Random per participant (seeded)"
        FIXED = "fixed", "Fixed (case order)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True, help_text="Shown on the information page.")
    consent_text = models.TextField()
    debrief_text = models.TextField()
    # Design fields: frozen once the first participant enrols (design_locked_at is set).
    cases_per_participant = models.PositiveSmallIntegerField()
    inaccurate_per_participant = models.PositiveSmallIntegerField(default=0)
    annotated_per_participant = models.PositiveSmallIntegerField(default=0)
    order_policy = models.CharField(
        max_length=8, choices=OrderPolicy.choices, default=OrderPolicy.RANDOM
    )
    read_then_reveal = models.BooleanField(default=False)
    rating_scale_max = models.PositiveSmallIntegerField(default=7)
    confidence_scale_max = models.PositiveSmallIntegerField(default=7)
    block_multiplier = models.PositiveSmallIntegerField(default=1)

    # What each trial asks (study.core.questions): the response mode and its switchable
    # questions, and the words at both ends of each scale.
    class ResponseMode(models.TextChoices):
        GAUBE = "gaube", "Gaube form: quality rating, accept / modify / reject, diagnosis"
        AGREE_DISAGREE = "agree_disagree", "Simple trust: agree or disagree (timed)"
        CATEGORY = "category", "Category read: one category from the study's list"

    class ConfidenceDisplay(models.TextChoices):
        AI = "ai", "With AI-labelled advice only"
        ALL = "all", "With all advice"
        NONE = "none", "Never"

    response_mode = models.CharField(
        max_length=16, choices=ResponseMode.choices, default=ResponseMode.GAUBE
    )
    ask_rating = models.BooleanField(default=True)
    ask_decision = models.BooleanField(default=True)
    ask_diagnosis = models.BooleanField(default=True)
    ask_confidence = models.BooleanField(default=True)
    rating_anchor_low = models.CharField(max_length=60, default="very poor")
    rating_anchor_high = models.CharField(max_length=60, default="excellent")
    confidence_anchor_low = models.CharField(max_length=60, default="not at all")
    confidence_anchor_high = models.CharField(max_length=60, default="completely")
    # Whether an advice's displayed confidence (Advice.displayed_confidence) is shown.
    confidence_display = models.CharField(
        max_length=8, choices=ConfidenceDisplay.choices, default=ConfidenceDisplay.AI
    )
    # After each training case: the reference answer and the case's feedback text.
    training_feedback = models.BooleanField(default=False)
    # The study's instruments (study.core.instruments): screening options and questionnaire.
    screening = models.JSONField(default=instruments.screening_default_json)
    questionnaire_items = models.JSONField(default=instruments.questionnaire_default_json)
    # Abandoned slots: by default never reused (statistically clean). When set, the slot of a
    # participant who answered no trial within this many minutes of enrolling goes to the next
    # enrolment of the stratum, with the same arm, cases and order (DESIGN.md section 4).
    reissue_after_minutes = models.PositiveIntegerField(null=True, blank=True)
    seed = models.BigIntegerField()

    class StratifyBy(models.TextChoices):
        SPECIALTY = "specialty", "Specialty"
        TRAINING_LEVEL = "training_level", "Training level"
        YEARS_EXPERIENCE = "years_experience", "Years of experience"

    # Maps a screening answer (specialty, training level, or the lower bound of a band of years
    # of experience, by stratify_by) to the allocation stratum; an answer absent is ineligible.
    stratify_by = models.CharField(
        max_length=20, choices=StratifyBy.choices, default=StratifyBy.SPECIALTY
    )
    stratum_map = models.JSONField(default=dict)
    # Open self-enrolment: anyone with /s/<token>/ may join; null = invitations only.
    self_enrolment_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Maximum enrolments per stratum, e.g. {"radiology": 138}; a stratum not listed is unlimited.
    stratum_quotas = models.JSONField(default=dict, blank=True)
    design_locked_at = models.DateTimeField(null=True, blank=True)
    design_hash = models.CharField(max_length=64, blank=True)
    is_demo = models.BooleanField(default=False)
    # Pilot mode: simulated participants may be added (they are flagged synthetic).
    pilot_mode = models.BooleanField(default=False)
    # A participant with no activity for this long counts as abandoned (progress, exports).
    abandon_after_minutes = models.PositiveIntegerField(default=24 * 60)
    # The participant pages' language (settings.LANGUAGES) and the study's texts in further
    # languages: {"de": {"title": ..., "consent_text": ..., "arms": {...}, ...}}; a participant
    # gets the study's language, or one of the translated ones when the link asks for it.
    language = models.CharField(max_length=8, default="en")
    translations = models.JSONField(default=dict, blank=True)
    # Recruitment panels (Prolific and others): the link parameter carrying the panel's
    # participant id (stored as Participant.external_id), further session parameters kept with
    # it, and where a participant is sent back to: on completion (with {code}) or on screen-out.
    panel_id_param = models.CharField(max_length=40, blank=True)
    panel_session_params = models.JSONField(default=list, blank=True)
    completion_url = models.URLField(max_length=500, blank=True)
    screenout_url = models.URLField(max_length=500, blank=True)
    # E-mail invitations and reminders: the team's own templates ({link}, {unsubscribe_link},
    # {title}; empty means the site's default text), and reminders every
    # reminder_interval_days to those who have not finished, at most reminder_max of them
    # (0: none). Recruitment settings: not in the design hash.
    email_from = models.CharField(max_length=254, blank=True)
    invitation_subject = models.CharField(max_length=200, blank=True)
    invitation_body = models.TextField(blank=True)
    reminder_subject = models.CharField(max_length=200, blank=True)
    reminder_body = models.TextField(blank=True)
    reminder_interval_days = models.PositiveSmallIntegerField(default=7)
    reminder_max = models.PositiveSmallIntegerField(default=0)
    # Viewers may download free-text answers (identifiable-risk data) only if an owner allows.
    viewers_may_export_free_text = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(inaccurate_per_participant__lte=models.F("cases_per_participant")),
                name="study_inaccurate_within_cases",
            ),
            models.CheckConstraint(
                condition=Q(annotated_per_participant__lte=models.F("cases_per_participant")),
                name="study_annotated_within_cases",
            ),
            models.CheckConstraint(
                condition=Q(rating_scale_max__gte=2, rating_scale_max__lte=11),
                name="study_rating_scale_range",
            ),
            models.CheckConstraint(
                condition=Q(confidence_scale_max__gte=2, confidence_scale_max__lte=11),
                name="study_confidence_scale_range",
            ),
            models.CheckConstraint(
                condition=Q(cases_per_participant__gte=1), name="study_cases_min"
            ),
            models.CheckConstraint(
                condition=Q(response_mode__in=["gaube", "agree_disagree", "category"]),
                name="study_response_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence_display__in=["ai", "all", "none"]),
                name="study_confidence_display_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_design_locked(self) -> bool:
        return self.design_locked_at is not None


class Arm(models.Model):
    """A between-subject condition: the source label and persona shown with every advice, and the
    kind of explanation that goes with it; or a no-advice control (source "none"): its trials
    show the case and ask for a diagnosis, and no advice."""

    class Source(models.TextChoices):
        AI = "ai", "AI system"
        HUMAN = "human", "Human expert"
        NONE = "none", "No advice (control)"

    class Explanation(models.TextChoices):
        NONE = "none", "None: the advice text only"
        LOCAL = "local", "Local: the advice's annotation drawn on the image"
        GLOBAL = "global", "Global: example images of the suggested diagnosis"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="arms")
    code = models.SlugField(max_length=40)
    advice_source = models.CharField(max_length=8, choices=Source.choices)
    label = models.CharField(max_length=100, help_text='Shown to participants, e.g. "CHEST-AI".')
    persona = models.TextField(blank=True, help_text="One or two sentences under the label.")
    weight = models.PositiveSmallIntegerField(default=1)
    explanation = models.CharField(
        max_length=8, choices=Explanation.choices, default=Explanation.NONE
    )

    class Meta:
        ordering = ["study", "code"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="arm_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="arm_weight_positive"),
            models.CheckConstraint(
                condition=Q(advice_source__in=["ai", "human", "none"]),
                name="arm_advice_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(explanation__in=["none", "local", "global"]),
                name="arm_explanation_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.label})"

    @property
    def gives_advice(self) -> bool:
        return self.advice_source != self.Source.NONE


class DiagnosisOption(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["study", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="diagnosis_unique_code"),
        ]

    def __str__(self) -> str:
        return self.label


class StudyMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        COLLABORATOR = "collaborator", "Collaborator"
        VIEWER = "viewer", "Viewer"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.study_id}"


class StratumCounter(models.Model):
    """Next free allocation slot of a stratum; enrolment locks this row (select_for_update)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="stratum_counters")
    stratum = models.SlugField(max_length=40)
    next_slot = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "stratum"], name="stratum_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.study_id}/{self.stratum}: next slot {self.next_slot}"


class DesignVersion(models.Model):
    """One version of the design as participants see it: version 1 is the design at the lock,
    each amendment after it adds the next version with its reason. Rows are never changed or
    deleted: triggers (migration 0006) refuse both at the database, which also refuses the CASCADE
    of a study's deletion (studies are never deleted)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="design_versions")
    version = models.PositiveSmallIntegerField()
    document = models.JSONField()  # the canonical design document the hash is computed from
    sha256 = models.CharField(max_length=64)
    effective_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["study", "version"]
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="design_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="design_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.study_id} v{self.version} {self.sha256[:12]}"
