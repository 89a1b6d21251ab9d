"""The settings form once the design is locked: the texts participants read, and the reason
an amendment needs (services.amendments.design_amend records it with the new design version)."""

from django import forms

from .forms import StudySettingsForm

REASON_REQUIRED = "Give the reason for this amendment: it is recorded with the new design version."


class StudyAmendForm(StudySettingsForm):
    """After the first enrolment: design fields are shown read-only, texts change by amendment."""

    reason = forms.CharField(
        label="Reason for this amendment (required)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the new design version and in the audit log, e.g. the ethics "
        "board's request. Participants who enrolled before keep the version they saw.",
        error_messages={"required": REASON_REQUIRED},
    )

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [*super().fieldsets(), ("Amendment", [self["reason"]])]
