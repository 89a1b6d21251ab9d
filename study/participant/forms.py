"""Participant forms: validation of what a person types; services re-check the study's rules."""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from study.core import instruments, questionnaire
from study.core.questions import QuestionPlan
from study.models import Response, Study
from study.services.responses import CLIENT_MEASUREMENTS


def _scale_choices(maximum: int, minimum: int = 1) -> list[tuple[int, str]]:
    return [(value, str(value)) for value in range(minimum, maximum + 1)]


def _scale_field(*, maximum: int, label: str, minimum: int = 1, **kwargs) -> forms.TypedChoiceField:
    """A minimum..maximum rating laid out in one row (templates read `is_scale`)."""
    field = forms.TypedChoiceField(
        choices=_scale_choices(maximum, minimum),
        coerce=int,
        widget=forms.RadioSelect,
        label=label,
        **kwargs,
    )
    field.is_scale = True
    return field


def _anchored(question: str, maximum: int, low: str, high: str, minimum: int = 1) -> str:
    """A scale question with the words at its ends: "... (1 = very poor, 7 = excellent)"."""
    return gettext("%(question)s (%(minimum)s = %(low)s, %(maximum)s = %(high)s)") % {
        "question": question,
        "minimum": minimum,
        "low": low,
        "maximum": maximum,
        "high": high,
    }


def _confidence_field(study: Study, question: str, **kwargs) -> forms.TypedChoiceField:
    maximum = study.confidence_scale_max
    return _scale_field(
        maximum=maximum,
        label=_anchored(
            question, maximum, study.confidence_anchor_low, study.confidence_anchor_high
        ),
        **kwargs,
    )


class ConsentForm(forms.Form):
    agree = forms.TypedChoiceField(
        choices=[("yes", _("I agree to take part")), ("no", _("I do not agree"))],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        label=_("Do you agree to take part in this study?"),
        error_messages={"required": _("Please choose whether you agree to take part.")},
    )


class ScreeningForm(forms.Form):
    """The screening questions with the study's own options (instruments.screening_parse)."""

    specialty = forms.ChoiceField(label=_("Your medical specialty"))
    training_level = forms.ChoiceField(label=_("Your training level"))
    years_experience = forms.IntegerField(
        min_value=0,
        max_value=70,
        label=_("Years since completing medical school"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    prior_ai_use = forms.ChoiceField(
        widget=forms.RadioSelect,
        label=_("How often have you used AI-based decision support in clinical work?"),
    )

    def __init__(self, *args, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        options = instruments.screening_parse(study.screening)
        self.fields["specialty"].choices = [("", _("Choose your specialty")), *options.specialties]
        self.fields["training_level"].choices = [
            ("", _("Choose your training level")),
            *options.training_levels,
        ]
        self.fields["prior_ai_use"].choices = list(options.prior_ai_use)


class UnaidedReadForm(forms.Form):
    """Read-then-reveal: the participant's own read before the advice is shown."""

    def __init__(self, *args, diagnoses, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unaided_diagnosis"] = forms.ChoiceField(
            choices=[("", _("Choose a diagnosis")), *diagnoses],
            label=_("Your diagnosis"),
            error_messages={"required": _("Please choose your diagnosis.")},
        )
        self.fields["unaided_confidence"] = _confidence_field(
            study,
            gettext("How confident are you in this diagnosis?"),
            error_messages={"required": _("Please rate your confidence.")},
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

# The decisions in the participant's words (Response.Decision's labels are the console's).
DECISION_LABELS = {
    Response.Decision.ACCEPT: _("Accept the advice"),
    Response.Decision.MODIFY: _("Slightly modify the advice"),
    Response.Decision.REJECT: _("Reject the advice"),
}


class TrialForm(forms.Form):
    """A trial's questions: exactly those of its plan (study.core.questions), in page order.
    In agree/disagree mode the answer is the submit button pressed (``agreed``), which the
    template draws as two buttons, not as a field."""

    client_active_ms = ClientMeasurementField()
    client_response_ms = ClientMeasurementField()
    viewer_interactions = ClientMeasurementField()
    viewer_zoom = ClientMeasurementField()
    viewer_pan = ClientMeasurementField()
    viewer_window = ClientMeasurementField()
    viewer_invert = ClientMeasurementField()
    viewer_fullscreen = ClientMeasurementField()

    def __init__(self, *args, plan: QuestionPlan, study: Study, diagnoses, **kwargs):
        super().__init__(*args, **kwargs)
        if plan.rating:
            maximum = study.rating_scale_max
            self.fields["advice_rating"] = _scale_field(
                maximum=maximum,
                label=_anchored(
                    gettext("How would you rate the quality of this advice?"),
                    maximum,
                    study.rating_anchor_low,
                    study.rating_anchor_high,
                ),
                error_messages={"required": _("Please rate the quality of the advice.")},
            )
        if plan.decision:
            self.fields["decision"] = forms.ChoiceField(
                choices=[(code, DECISION_LABELS[code]) for code in Response.Decision.values],
                widget=forms.RadioSelect,
                label=_("What do you do with the advice?"),
                help_text=(
                    _(
                        "Accepting the advice makes its suggested diagnosis your final "
                        "diagnosis. To give another diagnosis, modify or reject the advice."
                    )
                    if plan.diagnosis
                    else ""
                ),
                error_messages={
                    "required": _("Please choose whether you accept, modify or reject it.")
                },
            )
        if plan.diagnosis:
            self.fields["final_diagnosis"] = _diagnosis_field(plan, diagnoses)
        if plan.confidence:
            self.fields["confidence"] = _confidence_field(
                study,
                _confidence_question(plan),
                error_messages={"required": _("Please rate your confidence.")},
            )
        if plan.agree:
            self.fields["agreed"] = forms.TypedChoiceField(
                choices=[("yes", _("Agree")), ("no", _("Disagree"))],
                coerce=lambda value: value == "yes",
                empty_value=None,
                label=_("Do you agree with the advice?"),
                error_messages={"required": _("Please choose Agree or Disagree.")},
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


def _diagnosis_field(plan: QuestionPlan, diagnoses) -> forms.ChoiceField:
    """The final diagnosis: a list to choose from in the Gaube form, the study's categories in
    their order as one radio list in a category read."""
    if plan.mode == "category":
        return forms.ChoiceField(
            choices=list(diagnoses),
            widget=forms.RadioSelect,
            label=_("Your category"),
            error_messages={"required": _("Please choose a category.")},
        )
    return forms.ChoiceField(
        choices=[("", _("Choose a diagnosis")), *diagnoses],
        label=_("Your final diagnosis") if plan.advice else _("Your diagnosis"),
        error_messages={
            "required": _("Please choose your final diagnosis.")
            if plan.advice
            else _("Please choose your diagnosis.")
        },
    )


def _confidence_question(plan: QuestionPlan) -> str:
    # Whole sentences, not a subject put into one: the word order differs between languages.
    if plan.mode == "category" and plan.diagnosis:
        return gettext("How confident are you in this category?")
    if plan.diagnosis and plan.advice:
        return gettext("How confident are you in your final diagnosis?")
    if plan.diagnosis:
        return gettext("How confident are you in your diagnosis?")
    return gettext("How confident are you in your answer?")


class QuestionnaireForm(forms.Form):
    """The post-study questionnaire, made from the study's items (instruments.
    questionnaire_parse); the service checks the answers against the same items."""

    def __init__(self, *args, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        for item in instruments.questionnaire_parse(study.questionnaire_items):
            self.fields[item.code] = _questionnaire_field(item)


def _questionnaire_field(item: questionnaire.Item) -> forms.Field:
    if item.type == "likert":
        low, high = item.scale or (1, 7)
        left, right = item.anchors or ("", "")
        field = _scale_field(
            minimum=low, maximum=high, label=_anchored(item.wording, high, left, right, low)
        )
    elif item.type == "number":
        low, high = item.scale or (0, 1000)
        field = forms.IntegerField(
            label=gettext("%(question)s (%(low)s to %(high)s)")
            % {"question": item.wording, "low": low, "high": high},
            min_value=low,
            max_value=high,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
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
        choices=[
            ("keep", _("Keep my answers in the study")),
            ("withdraw", _("Withdraw my answers")),
        ],
        widget=forms.RadioSelect,
        label=_("May we use your answers?"),
        initial="keep",
    )
