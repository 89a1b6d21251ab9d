"""The error summary's sentences: the form's own messages as they are, Django's bare "This
field is required." turned into a sentence naming the question, in any language."""

import pytest
from django import forms
from django.utils import translation

from study.templatetags.error_summary import summary_sentence


class _Form(forms.Form):
    specialty = forms.ChoiceField(choices=[("x", "X")], label="Your medical specialty")
    confidence = forms.ChoiceField(
        choices=[("1", "1")],
        label="How confident are you? (1 = not at all, 7 = completely)",
        error_messages={"required": "Please rate your confidence."},
    )


@pytest.mark.parametrize("language", ["en", "de"])
def test_given_django_required_message_then_the_summary_names_the_question(language):
    with translation.override(language):
        form = _Form({})
        (error,) = form["specialty"].errors

        sentence = summary_sentence(error, form["specialty"])

    assert error != sentence
    assert (
        sentence
        == {
            "en": "“Your medical specialty” needs an answer.",
            "de": "„Your medical specialty“ braucht eine Antwort.",
        }[language]
    )


def test_given_the_forms_own_message_then_the_summary_lists_it_as_it_is():
    form = _Form({})
    (error,) = form["confidence"].errors

    assert summary_sentence(error, form["confidence"]) == "Please rate your confidence."
