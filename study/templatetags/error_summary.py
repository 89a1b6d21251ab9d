"""The error summary's entries (templates/participant/_errors.html): each one a sentence that
stands alone, since the summary lists it away from its field."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def summary_sentence(error: str, field: BoundField) -> str:
    """The form's own messages are written as sentences that say what to do ("Please rate your
    confidence."): listed as they are. Django's "This field is required." names no question,
    so the summary names it (no "question?: error" run-on)."""
    if str(error) == str(forms.Field.default_error_messages["required"]):
        return gettext("“%(question)s” needs an answer.") % {"question": field.label}
    return str(error)
