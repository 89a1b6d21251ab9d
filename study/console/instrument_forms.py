"""The instruments page of the builder: the screening options and the questionnaire, as text.

Each list is written one option per line (``code = Label``), the questionnaire one item per line
(study.core.instruments.QUESTIONNAIRE_TEXT_HELP); a refusal names the line. The form turns the
text into the stored JSON; services.study_design_update saves it (audited, hashed, locked).
"""

from django import forms

from study.core import instruments
from study.models import Study

from .settings_forms import screening_options

_ROWS = {"rows": 6, "spellcheck": "false"}
SCREENING_HELP = {
    "specialties": "One per line: code = Label, e.g. “radiology = Radiology”.",
    "training_levels": "One per line: code = Label, e.g. “resident = Resident / registrar”.",
    "experience_bands": "One per line: the band's lower bound in whole years = Label, e.g. "
    "“5 = 5 to 9 years”. One band starts at 0.",
    "prior_ai_use": "One per line: code = Label, e.g. “never = Never”.",
}
# The screening list a stratification basis maps to strata from.
BASIS_LISTS = {
    "specialty": "specialties",
    "training_level": "training_levels",
    "years_experience": "experience_bands",
}


def _questionnaire(study: Study) -> tuple:
    try:
        return instruments.questionnaire_parse(study.questionnaire_items)
    except instruments.InstrumentError:
        return instruments.questionnaire_parse(None)


class InstrumentsForm(forms.Form):
    questionnaire_items = forms.CharField(
        label="Post-study questionnaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=instruments.QUESTIONNAIRE_TEXT_HELP + " Leave empty for no questionnaire.",
    )

    def __init__(self, *args, study: Study, **kwargs):
        options = screening_options(study)
        initial = {
            name: instruments.options_text(getattr(options, name))
            for name in instruments.SCREENING_LISTS
        }
        initial["questionnaire_items"] = instruments.questionnaire_text(_questionnaire(study))
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.study = study
        screening_fields = {
            name: forms.CharField(
                label=instruments.SCREENING_LABELS[name],
                widget=forms.Textarea(attrs=_ROWS),
                help_text=SCREENING_HELP[name],
                error_messages={"required": f"{SCREENING_HELP[name]} Give at least one."},
            )
            for name in instruments.SCREENING_LISTS
        }
        # The screening lists first, in the order participants answer them.
        self.fields = {**screening_fields, **self.fields}

    def screening_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in instruments.SCREENING_LISTS]

    def clean(self):
        cleaned = super().clean()
        for name in instruments.SCREENING_LISTS:
            if name in cleaned:
                try:
                    cleaned[name] = instruments.options_from_text(name, cleaned[name])
                except instruments.InstrumentError as error:
                    self.add_error(name, str(error))
        if "questionnaire_items" in cleaned:
            try:
                cleaned["questionnaire_items"] = instruments.questionnaire_from_text(
                    cleaned["questionnaire_items"]
                )
            except instruments.InstrumentError as error:
                self.add_error("questionnaire_items", str(error))
        return cleaned

    def settings(self) -> dict:
        """The valid form as the study's settings: screening and questionnaire_items JSON."""
        screening = instruments.ScreeningOptions(
            **{name: self.cleaned_data[name] for name in instruments.SCREENING_LISTS}
        )
        return {
            "screening": screening.to_json(),
            "questionnaire_items": [
                instruments.item_to_json(item) for item in self.cleaned_data["questionnaire_items"]
            ],
        }

    def service_aliases(self) -> dict[str, str]:
        """Where a service's refusal of a setting is shown: a stratum_map key that is no longer
        an option, at the list the strata are mapped from."""
        return {"stratum_map": BASIS_LISTS[self.study.stratify_by]}
