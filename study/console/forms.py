"""Study builder forms: check the shape of what a researcher typed; services check the design.

Plain forms, not ModelForms: a ModelForm writes into its instance while validating, and a
refused edit must leave the study exactly as it was.
"""

from django import forms

from study.core import slugs, vocabulary
from study.models import Arm, DiagnosisOption, Study, StudyMembership
from study.services.builder import DESIGN_FIELDS

_TEXTAREA = {"rows": 6}
_STRATUM_PREFIX = "stratum_"


def _slug_field(label: str, *, max_length: int, help_text: str) -> forms.SlugField:
    return forms.SlugField(
        label=label,
        max_length=max_length,
        help_text=help_text,
        error_messages={
            "invalid": "Use only lower-case letters, digits, hyphens and underscores.",
        },
    )


def _study_slug_field(help_text: str) -> forms.CharField:
    # The shape is study.core.slugs' rule (checked in clean_slug), not a second regex here.
    return forms.CharField(
        label="Short name for links (slug)", max_length=slugs.MAX_LENGTH, help_text=help_text
    )


class StudyCreateForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    slug = _study_slug_field(
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


class StudySettingsForm(forms.Form):
    """All study settings; once the design is locked only the texts stay editable."""

    _FIELDSETS = (
        ("Study", ("title", "slug", "description")),
        ("Texts participants read", ("consent_text", "debrief_text")),
        (
            "Cases and advice per participant",
            (
                "cases_per_participant",
                "inaccurate_per_participant",
                "annotated_per_participant",
                "order_policy",
                "read_then_reveal",
            ),
        ),
        ("Answer scales", ("rating_scale_max", "confidence_scale_max")),
        ("Allocation", ("block_multiplier", "seed", "reissue_after_minutes")),
    )

    title = forms.CharField(label="Title", max_length=200)
    slug = _study_slug_field("Used in console addresses and export file names.")
    description = forms.CharField(
        label="Description (shown on the information page)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent_text = forms.CharField(
        label="Study information and consent text", widget=forms.Textarea(attrs=_TEXTAREA)
    )
    debrief_text = forms.CharField(
        label="Debrief text (discloses the manipulation)", widget=forms.Textarea(attrs=_TEXTAREA)
    )
    cases_per_participant = forms.IntegerField(
        label="Cases per participant (test cases, training cases come on top)",
        min_value=1,
        max_value=500,
    )
    inaccurate_per_participant = forms.IntegerField(
        label="Cases with inaccurate advice per participant", min_value=0, max_value=500
    )
    annotated_per_participant = forms.IntegerField(
        label="Cases with a visual annotation per participant", min_value=0, max_value=500
    )
    order_policy = forms.ChoiceField(label="Case order", choices=Study.OrderPolicy.choices)
    read_then_reveal = forms.BooleanField(
        label="Read then reveal: an unaided read before the advice is shown", required=False
    )
    rating_scale_max = forms.IntegerField(
        label="Advice quality rating scale: number of points", min_value=2, max_value=11
    )
    confidence_scale_max = forms.IntegerField(
        label="Confidence scale: number of points", min_value=2, max_value=11
    )
    block_multiplier = forms.IntegerField(
        label="Block multiplier (allocation block = sum of arm weights × this)",
        min_value=1,
        max_value=100,
    )
    seed = forms.IntegerField(
        label="Allocation seed",
        min_value=0,
        max_value=2**63 - 1,
        help_text="Drawn at random when the study was created; it makes the allocation "
        "table reproducible.",
    )

    reissue_after_minutes = forms.IntegerField(
        label="Reissue abandoned slots after (minutes)",
        min_value=1,
        max_value=60 * 24 * 365,
        required=False,
        help_text="Empty: a slot is never reused (statistically clean). Otherwise the slot of a "
        "participant who answered no case within this time goes to the next enrolment.",
    )
    stratify_by = forms.ChoiceField(
        label="Strata are decided by",
        choices=vocabulary.STRATIFY_BASES,
        help_text="After changing this, save: the table below then lists the new rows to map.",
    )

    def __init__(self, *args, study: Study, **kwargs):
        kwargs.setdefault("initial", study_settings_initial(study))
        super().__init__(*args, **kwargs)
        self.study = study
        basis = self.data.get("stratify_by") if self.is_bound else None
        if study.design_locked_at is not None or basis not in {
            code for code, _ in vocabulary.STRATIFY_BASES
        }:
            basis = study.stratify_by
        self.basis = basis
        self.basis_changed = basis != study.stratify_by
        for code, label in vocabulary.stratum_rows(basis):
            self.fields[_STRATUM_PREFIX + code] = forms.SlugField(
                label=f"Stratum for {label}",
                required=False,
                max_length=40,
                error_messages={
                    "invalid": "Use only lower-case letters, digits, hyphens and underscores."
                },
            )
        if study.design_locked_at is not None:
            # Disabled fields ignore what is posted and keep the locked values.
            for name in self.design_field_names():
                self.fields[name].disabled = True

    def design_field_names(self) -> list[str]:
        names = [name for name in DESIGN_FIELDS if name in self.fields]
        return names + [name for name in self.fields if name.startswith(_STRATUM_PREFIX)]

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The editable settings in groups, each rendered as a fieldset with this legend."""
        groups = [
            (legend, [self[name] for name in names if not self.fields[name].disabled])
            for legend, names in self._FIELDSETS
        ]
        return [(legend, fields) for legend, fields in groups if fields]

    def stratum_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [
            (label, self[_STRATUM_PREFIX + code])
            for code, label in vocabulary.stratum_rows(self.basis)
        ]

    def basis_label(self) -> str:
        return dict(vocabulary.STRATIFY_BASES)[self.basis]

    def clean_slug(self) -> str:
        # An unchanged slug is not re-checked (the service checks only a new one); uniqueness is
        # the service's check, shown by the view.
        slug = self.cleaned_data["slug"]
        problem = slugs.slug_problem(slug) if slug != self.study.slug else None
        if problem is not None:
            raise forms.ValidationError(problem)
        return slug

    def clean(self):
        cleaned = super().clean()
        # The table becomes one mapping; a blank stratum means "not eligible".
        stratum_map = {}
        for code, _label in vocabulary.stratum_rows(self.basis):
            stratum = cleaned.pop(_STRATUM_PREFIX + code, "")
            if stratum:
                stratum_map[code] = stratum
        if self.basis_changed and not stratum_map:
            self.add_error(
                None,
                f"Strata are now decided by {self.basis_label().lower()}: map its rows below "
                "to strata, then save again.",
            )
        elif not stratum_map and not self.errors:
            label = self.basis_label().lower()
            self.add_error(None, f"Map at least one {label} to a stratum, or nobody can enrol.")
        cleaned["stratum_map"] = stratum_map
        return cleaned


def add_service_error(form: forms.Form, error: Exception) -> None:
    """Show a service's refusal on the form: at the field its message starts with, if any.

    The design rules (quotas within cases, pool size, ...) live in design.design_validate and
    the services, not here, so the page shows their exact message.
    """
    message = str(error)
    field = getattr(error, "field", None)  # e.g. slugs.SlugError names its field
    if field in form.fields and not form.fields[field].disabled:
        form.add_error(field, message)
        return
    for name in form.fields:
        if message.startswith((f"{name} ", f"{name}:")) and not form.fields[name].disabled:
            form.add_error(name, message)
            return
    form.add_error(None, message)


def study_settings_initial(study: Study) -> dict:
    initial = {
        name: getattr(study, name)
        for name in ("title", "description", "consent_text", "debrief_text", *DESIGN_FIELDS)
        if name != "stratum_map"
    }
    for code, _label in vocabulary.stratum_rows(study.stratify_by):
        initial[_STRATUM_PREFIX + code] = study.stratum_map.get(code, "")
    return initial


class ArmForm(forms.Form):
    code = _slug_field(
        "Arm code", max_length=40, help_text="Used in exports, e.g. “ai” or “human”."
    )
    advice_source = forms.ChoiceField(
        label="Advice source", choices=Arm.Source.choices, widget=forms.RadioSelect
    )
    label = forms.CharField(
        label="Source label shown to participants", max_length=100, help_text="e.g. “CHEST-AI”."
    )
    persona = forms.CharField(
        label="Persona (one or two sentences under the label)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weight = forms.IntegerField(label="Allocation weight", min_value=1, max_value=100, initial=1)

    @staticmethod
    def initial_for(arm: Arm) -> dict:
        return {name: getattr(arm, name) for name in ArmForm.base_fields}


class DiagnosisForm(forms.Form):
    code = _slug_field(
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
