"""Cases (a vignette and a de-identified image) and their accurate and inaccurate advice."""

from django.db import models
from django.db.models import Q

from .study import Study


class Case(models.Model):
    class Review(models.TextChoices):
        OK = "ok", "Ready"
        NEEDS_REVIEW = "needs_review", "Needs review (burned-in annotation unknown)"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="cases")
    code = models.SlugField(max_length=40, help_text="Neutral code; participants may see it.")
    vignette = models.TextField()
    reference_diagnosis = models.SlugField(max_length=60)
    is_training = models.BooleanField(default=False)
    # Training feedback (Study.training_feedback): what the team explains after the case.
    feedback = models.TextField(blank=True)
    # The case's texts in the study's other languages: {"de": {"vignette": ..., "feedback": ...}}.
    translations = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_demo_material = models.BooleanField(default=False)
    review_status = models.CharField(max_length=14, choices=Review.choices, default=Review.OK)
    # De-identified DICOM and derivatives rendered once at import; names carry content hashes.
    dicom_file = models.FileField(upload_to="cases/dicom/", blank=True)
    display_image = models.FileField(upload_to="cases/display/", blank=True)
    preview_image = models.FileField(upload_to="cases/preview/", blank=True)
    thumbnail_image = models.FileField(upload_to="cases/thumb/", blank=True)
    window_presets = models.JSONField(default=list, blank=True)  # [{"name":..., "path":...}]
    # The viewer's free window/level source: the stored values packed 16-bit into a PNG (high
    # byte red, low byte green) at display size, and how packed values map to modality values
    # and the default window (study.core.imaging.source); empty for cases rendered before it.
    source_image = models.FileField(upload_to="cases/source/", blank=True)
    source_window = models.JSONField(default=dict, blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["study", "is_training", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="case_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class Advice(models.Model):
    class Variant(models.TextChoices):
        ACCURATE = "accurate", "Accurate"
        INACCURATE = "inaccurate", "Inaccurate"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="advice")
    variant = models.CharField(max_length=10, choices=Variant.choices)
    findings = models.TextField()
    diagnosis = models.SlugField(max_length=60)
    annotation = models.JSONField(null=True, blank=True)  # geometry in image pixel coordinates
    displayed_confidence = models.FloatField(null=True, blank=True)
    # The findings in the study's other languages: {"de": {"findings": ...}}.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["case", "variant"], name="advice_unique_variant"),
            models.CheckConstraint(
                condition=Q(displayed_confidence__isnull=True)
                | Q(displayed_confidence__gte=0, displayed_confidence__lte=100),
                name="advice_confidence_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.variant}"

    @property
    def is_accurate(self) -> bool:
        return self.variant == self.Variant.ACCURATE


class ExampleImage(models.Model):
    """The study's example library: reference images of one diagnosis, shown as a strip beside
    the advice in arms with a global explanation. De-identified and rendered like cases (a DICOM
    through study.core.imaging, a PNG or JPEG decoded and re-encoded without its metadata);
    file names carry content hashes and never the diagnosis."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="examples")
    code = models.SlugField(max_length=40)
    diagnosis = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    display_image = models.FileField(upload_to="examples/display/")
    preview_image = models.FileField(upload_to="examples/preview/", blank=True)
    image_width = models.PositiveIntegerField()
    image_height = models.PositiveIntegerField()

    class Meta:
        ordering = ["study", "diagnosis", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="example_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.diagnosis})"
