"""Study builder forms: check the shape of what a researcher typed; services check the design.

Plain forms, not ModelForms: a ModelForm writes into its instance while validating, and a
refused edit must leave the study exactly as it was. The settings form is in settings_forms,
the instruments in instrument_forms, the case and example forms in library_forms.
"""

from django import forms

from study.core import slugs
from study.models import Arm, DiagnosisOption, StudyMembership

from .form_fields import add_service_error, slug_field, study_slug_field
from .settings_forms import StudySettingsForm, screening_options, study_settings_initial

__all__ = [
    "AllocationSlotsForm",
    "ArmForm",
    "DiagnosisForm",
    "FreeTextExportForm",
    "InvitationsForm",
    "LinkToggleForm",
    "MemberRemoveForm",
    "MemberRoleForm",
    "MembershipForm",
    "ParticipantSearchForm",
    "QuotasForm",
    "StudyCreateForm",
    "StudySettingsForm",
    "add_service_error",
    "form_problems",
    "quota_field_name",
    "screening_options",
    "study_settings_initial",
]


class StudyCreateForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    slug = study_slug_field(
        "Letters, digits, hyphens; used in console addresses and export file names."
    )
    description = forms.CharField(
        label="Description (shown on the information page)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_slug(self) -> str:
        # Whether another study has the slug is the service's check; the view shows its refusal.
        slug = self.cleaned_data["slug"]
        problem = slugs.slug_problem(slug)
        if problem is not None:
            raise forms.ValidationError(problem)
        return slug


CONTROL_LABEL = "No advice"  # the label a no-advice control arm is stored with


class ArmForm(forms.Form):
    """An arm: its advice source (or a no-advice control), the label and persona shown with
    the advice, the explanation that goes with it, and its allocation weight."""

    code = slug_field(
        "Arm code", max_length=40, help_text="Used in exports, e.g. “ai”, “human” or “control”."
    )
    advice_source = forms.ChoiceField(
        label="Advice source", choices=Arm.Source.choices, widget=forms.RadioSelect
    )
    explanation = forms.ChoiceField(
        label="Explanation shown with the advice",
        choices=Arm.Explanation.choices,
        initial=Arm.Explanation.NONE,
        required=False,  # not posted: none, the advice text only
        widget=forms.RadioSelect,
    )
    label = forms.CharField(
        label="Source label shown to participants",
        max_length=100,
        required=False,
        help_text="e.g. “CHEST-AI”. A no-advice control shows none (it is stored as "
        f"“{CONTROL_LABEL}”).",
    )
    persona = forms.CharField(
        label="Persona (one or two sentences under the label)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Not used in a no-advice control arm.",
    )
    weight = forms.IntegerField(label="Allocation weight", min_value=1, max_value=100, initial=1)

    @staticmethod
    def initial_for(arm: Arm) -> dict:
        return {name: getattr(arm, name) for name in ArmForm.base_fields}

    def clean(self):
        cleaned = super().clean()
        if "explanation" in cleaned:
            cleaned["explanation"] = cleaned["explanation"] or Arm.Explanation.NONE
        if cleaned.get("advice_source") == Arm.Source.NONE:
            # A control arm shows no advice: no label, persona or explanation reaches anyone.
            cleaned["label"] = cleaned.get("label") or CONTROL_LABEL
            cleaned["persona"] = ""
            if cleaned.get("explanation", Arm.Explanation.NONE) != Arm.Explanation.NONE:
                self.add_error(
                    "explanation",
                    "A no-advice control shows no advice, so it has no explanation: choose “None”.",
                )
        elif "advice_source" in cleaned and not cleaned.get("label"):
            self.add_error(
                "label",
                "Give the source label participants see with the advice, e.g. “CHEST-AI” "
                "(only a no-advice control has none).",
            )
        return cleaned


class DiagnosisForm(forms.Form):
    code = slug_field(
        "Diagnosis code",
        max_length=60,
        help_text="Used in exports and in case manifests, e.g. “pneumonia”.",
    )
    label = forms.CharField(label="Label shown to participants", max_length=120)
    position = forms.IntegerField(
        label="Position in the list", min_value=0, max_value=1000, initial=0
    )

    @staticmethod
    def initial_for(diagnosis: DiagnosisOption) -> dict:
        return {name: getattr(diagnosis, name) for name in DiagnosisForm.base_fields}


class MembershipForm(forms.Form):
    username = forms.CharField(label="Username of an existing account", max_length=150)
    role = forms.ChoiceField(label="Role", choices=StudyMembership.Role.choices)


class MemberRoleForm(forms.Form):
    """A member's new role; the member is named by username (a hidden field on the page)."""

    username = forms.CharField(label="Member", max_length=150)
    role = forms.ChoiceField(label="Role", choices=StudyMembership.Role.choices)


class MemberRemoveForm(forms.Form):
    username = forms.CharField(label="Member", max_length=150)


class FreeTextExportForm(forms.Form):
    # An unchecked box is absent from the POST: False, so this field is never "required".
    allowed = forms.BooleanField(label="Viewers may export free-text answers", required=False)


# Recruitment settings and console queries. Each bad value is a form error, shown on a 400 page.

MAX_ALLOCATION_SLOTS = 2000
DEFAULT_ALLOCATION_SLOTS = 24


class AllocationSlotsForm(forms.Form):
    """?slots= of the allocation table: empty or absent shows the default."""

    slots = forms.IntegerField(
        label="Slots per stratum", required=False, min_value=1, max_value=MAX_ALLOCATION_SLOTS
    )

    def n_slots(self) -> int:
        return self.cleaned_data["slots"] or DEFAULT_ALLOCATION_SLOTS


class InvitationsForm(forms.Form):
    # The range is the service's rule (services.invitations), which the page quotes.
    count = forms.IntegerField(label="Number of invitation links")


class LinkToggleForm(forms.Form):
    enable = forms.ChoiceField(
        label="Open enrolment link", choices=[("1", "enable"), ("0", "disable")]
    )


def quota_field_name(stratum: str) -> str:
    return f"quota-{stratum}"


class QuotasForm(forms.Form):
    """One optional whole number per stratum; whether it is allowed (>= 0) is the service's
    rule (services.enrolment.stratum_quotas_set), which the page quotes."""

    def __init__(self, *args, strata: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.strata = strata
        for stratum in strata:
            self.fields[quota_field_name(stratum)] = forms.IntegerField(
                label=f"quota for '{stratum}'", required=False
            )

    def quotas(self) -> dict[str, int | None]:
        return {stratum: self.cleaned_data[quota_field_name(stratum)] for stratum in self.strata}


def form_problems(form: forms.Form) -> str:
    """A refused form's errors in one line for a message, each led by its field's label."""
    return "; ".join(
        f"{form.fields[name].label}: {' '.join(errors)}"
        if name in form.fields
        else " ".join(errors)
        for name, errors in form.errors.items()
    )


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(label="Public id or completion code", required=False, max_length=100)
