"""Participant forms: validation of what a person types; services re-check the study's rules."""

import re

from django import forms

from study.core import questionnaire, vocabulary
from study.models import Response
from study.services.responses import CLIENT_MEASUREMENTS


def _scale_choices(maximum: int) -> list[tuple[int, str]]:
    return [(value, str(value)) for value in range(1, maximum + 1)]


def _scale_field(*, maximum: int, label: str, **kwargs) -> forms.TypedChoiceField:
    """A 1..maximum rating laid out in one row (templates read `is_scale`)."""
    field = forms.TypedChoiceField(
        choices=_scale_choices(maximum), coerce=int, widget=forms.RadioSelect, label=label, **kwargs
    )
    field.is_scale = True
    return field


class ConsentForm(forms.Form):
    agree = forms.TypedChoiceField(
        choices=[("yes", "I agree to take part"), ("no", "I do not agree")],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        label="Do you agree to take part in this study?",
        error_messages={"required": "Please choose whether you agree to take part."},
    )


class ScreeningForm(forms.Form):
    specialty = forms.ChoiceField(
        choices=[("", "Choose your specialty"), *vocabulary.SPECIALTIES],
        label="Your medical specialty",
    )
    training_level = forms.ChoiceField(
        choices=[("", "Choose your training level"), *vocabulary.TRAINING_LEVELS],
        label="Your training level",
    )
    years_experience = forms.IntegerField(
        min_value=0,
        max_value=70,
        label="Years since completing medical school",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    prior_ai_use = forms.ChoiceField(
        choices=vocabulary.PRIOR_AI_USE,
        widget=forms.RadioSelect,
        label="How often have you used AI-based decision support in clinical work?",
    )


class UnaidedReadForm(forms.Form):
    """Read-then-reveal: the participant's own read before the advice is shown."""

    def __init__(self, *args, diagnoses, confidence_max: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unaided_diagnosis"] = forms.ChoiceField(
            choices=[("", "Choose a diagnosis"), *diagnoses], label="Your diagnosis"
        )
        self.fields["unaided_confidence"] = _scale_field(
            maximum=confidence_max,
            label=f"How confident are you in this diagnosis? (1 = not at all, "
            f"{confidence_max} = completely)",
        )


# The page's script writes plain whole numbers (Math.round); anything else is not its output.
_CLIENT_NUMBER = re.compile(r"[0-9]{1,18}")


class ClientMeasurementField(forms.Field):
    """A number measured by the page's script, in a hidden input. The participant can neither
    see nor fix it, so it never fails validation: it cleans to its text, and TrialForm.clean
    turns that into a number, None (not sent) or an entry of ``client_unusable``."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: object) -> str:
        return value.strip() if isinstance(value, str) else ""


CLIENT_FIELDS = CLIENT_MEASUREMENTS


class TrialForm(forms.Form):
    client_active_ms = ClientMeasurementField()
    client_response_ms = ClientMeasurementField()
    viewer_interactions = ClientMeasurementField()
    viewer_zoom = ClientMeasurementField()
    viewer_pan = ClientMeasurementField()
    viewer_window = ClientMeasurementField()
    viewer_invert = ClientMeasurementField()
    viewer_fullscreen = ClientMeasurementField()

    def __init__(
        self,
        *args,
        diagnoses,
        rating_max: int,
        confidence_max: int,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["advice_rating"] = _scale_field(
            maximum=rating_max,
            label=f"How would you rate the quality of this advice? (1 = very poor, "
            f"{rating_max} = excellent)",
            error_messages={"required": "Please rate the quality of the advice."},
        )
        self.fields["decision"] = forms.ChoiceField(
            choices=Response.Decision.choices,
            widget=forms.RadioSelect,
            label="What do you do with the advice?",
            help_text=(
                "Accepting the advice makes its suggested diagnosis your final diagnosis. To give "
                "another diagnosis, modify or reject the advice."
            ),
            error_messages={"required": "Please choose whether you accept, modify or reject it."},
        )
        self.fields["final_diagnosis"] = forms.ChoiceField(
            choices=[("", "Choose a diagnosis"), *diagnoses],
            label="Your final diagnosis",
            error_messages={"required": "Please choose your final diagnosis."},
        )
        self.fields["confidence"] = _scale_field(
            maximum=confidence_max,
            label=f"How confident are you in your final diagnosis? (1 = not at all, "
            f"{confidence_max} = completely)",
            error_messages={"required": "Please rate your confidence."},
        )

    def clean(self) -> dict:
        # The range of each number is the service's rule (services.responses): here only
        # whether the page sent a number at all.
        cleaned = super().clean()
        unusable = []
        for name in CLIENT_FIELDS:
            text = cleaned.get(name, "")
            if _CLIENT_NUMBER.fullmatch(text):
                cleaned[name] = int(text)
            else:
                cleaned[name] = None
                if text:
                    unusable.append(name)
        cleaned["client_unusable"] = tuple(unusable)
        return cleaned


class QuestionnaireForm(forms.Form):
    """The post-study questionnaire, made from study.core.questionnaire.ITEMS."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in questionnaire.ITEMS:
            self.fields[item.code] = _questionnaire_field(item)


def _questionnaire_field(item: questionnaire.Item) -> forms.Field:
    if item.type == "likert":
        low, high = item.scale or (1, 7)
        left, right = item.anchors or ("", "")
        field = _scale_field(
            maximum=high, label=f"{item.wording} ({low} = {left}, {high} = {right})"
        )
    elif item.type == "number":
        low, high = item.scale or (0, None)
        field = forms.IntegerField(label=item.wording, min_value=low, max_value=high)
    elif item.type == "choice":
        field = forms.ChoiceField(
            label=item.wording, choices=item.choices, widget=forms.RadioSelect
        )
    elif item.type == "multiple":
        field = forms.MultipleChoiceField(
            label=item.wording, choices=item.choices, widget=forms.CheckboxSelectMultiple
        )
    else:
        field = forms.CharField(
            label=item.wording,
            max_length=item.max_length,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
    field.required = item.required
    return field


class DebriefForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[("keep", "Keep my answers in the study"), ("withdraw", "Withdraw my answers")],
        widget=forms.RadioSelect,
        label="May we use your answers?",
        initial="keep",
    )
