"""The study settings form of the builder's design page: every setting but the instruments
(instrument_forms) and the rows (arms, diagnoses), which have their own pages.

A plain form, not a ModelForm: a ModelForm writes into its instance while validating, and a
refused edit must leave the study exactly as it was.
"""

from django import forms

from study.core import instruments, questions, slugs, vocabulary
from study.models import Study
from study.services.builder import DESIGN_FIELDS

from .form_fields import SLUG_INVALID, study_slug_field

_TEXTAREA = {"rows": 6}
_STRATUM_PREFIX = "stratum_"
# Edited on the instruments page (instrument_forms), or as the strata table below.
_NOT_ON_THIS_FORM = ("stratum_map", "screening", "questionnaire_items")
_ANCHOR_MAX = Study._meta.get_field("rating_anchor_low").max_length


def screening_options(study: Study) -> instruments.ScreeningOptions:
    """The study's screening options; the defaults if what is stored cannot be read (the
    builder then shows the defaults, and saving the instruments page stores valid ones)."""
    try:
        return instruments.screening_parse(study.screening)
    except instruments.InstrumentError:
        return instruments.screening_parse(None)


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
        ("Questions on each case", questions.QUESTION_SETTINGS),
        ("Allocation", ("block_multiplier", "seed", "reissue_after_minutes")),
    )

    title = forms.CharField(label="Title", max_length=200)
    slug = study_slug_field("Used in console addresses and export file names.")
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
    response_mode = forms.ChoiceField(
        label="What each case asks (response mode)",
        choices=Study.ResponseMode.choices,
        help_text="Gaube form: the questions switched on below. Simple trust: an Agree and a "
        "Disagree button, the time to the click is the decision time. Category read: one "
        "category from the diagnosis options, in their order (e.g. BI-RADS 1 to 5). A no-advice "
        "control arm always asks for the diagnosis (category) and, if switched on, the "
        "confidence.",
    )
    ask_rating = forms.BooleanField(
        label="Ask the advice quality rating (Gaube form, simple trust and category read)",
        required=False,
    )
    ask_decision = forms.BooleanField(
        label="Ask accept / slightly modify / reject (Gaube form and category read)",
        required=False,
    )
    ask_diagnosis = forms.BooleanField(
        label="Ask the final diagnosis (Gaube form; a category read always asks its category)",
        required=False,
    )
    ask_confidence = forms.BooleanField(
        label="Ask the confidence in the final answer (every mode, no-advice arms too)",
        required=False,
    )
    rating_anchor_low = forms.CharField(
        label="Quality rating: words at the lowest point", max_length=_ANCHOR_MAX
    )
    rating_anchor_high = forms.CharField(
        label="Quality rating: words at the highest point", max_length=_ANCHOR_MAX
    )
    confidence_anchor_low = forms.CharField(
        label="Confidence: words at the lowest point", max_length=_ANCHOR_MAX
    )
    confidence_anchor_high = forms.CharField(
        label="Confidence: words at the highest point", max_length=_ANCHOR_MAX
    )
    confidence_display = forms.ChoiceField(
        label="Show the advice's displayed confidence (e.g. “87 %”)",
        choices=Study.ConfidenceDisplay.choices,
        help_text="Only where the case's advice has a displayed confidence (manifest columns "
        "accurate_confidence, inaccurate_confidence); never in a no-advice arm.",
    )
    training_feedback = forms.BooleanField(
        label="After each training case, show the reference answer and the case's feedback "
        "text (test cases never get feedback)",
        required=False,
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
        self.screening = screening_options(study)
        for code, label in self.screening.rows(basis):
            self.fields[_STRATUM_PREFIX + code] = forms.SlugField(
                label=f"Stratum for {label}",
                required=False,
                max_length=40,
                error_messages={"invalid": SLUG_INVALID},
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
            (label, self[_STRATUM_PREFIX + code]) for code, label in self.screening.rows(self.basis)
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
        for code, _label in self.screening.rows(self.basis):
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


def study_settings_initial(study: Study) -> dict:
    initial = {
        name: getattr(study, name)
        for name in ("title", "description", "consent_text", "debrief_text", *DESIGN_FIELDS)
        if name not in _NOT_ON_THIS_FORM
    }
    for code, _label in screening_options(study).rows(study.stratify_by):
        initial[_STRATUM_PREFIX + code] = study.stratum_map.get(code, "")
    return initial
