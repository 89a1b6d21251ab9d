"""The audit page's filters: every value checked, so a bad one is a 400 naming the filter and
what is wrong (never a 500, never silently ignored)."""

from django import forms
from django.core.validators import RegexValidator

from study.selectors.audit import NO_ACTOR, AuditFilters
from study.templatetags.audit_text import audit_action

_DATE = {"invalid": "enter a date as YYYY-MM-DD, e.g. 2026-12-04"}


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="Action",
        required=False,
        error_messages={"invalid_choice": "“%(value)s” is not an action in this study's log"},
    )
    actor = forms.ChoiceField(
        label="Who",
        required=False,
        error_messages={"invalid_choice": "“%(value)s” is not anyone in this study's log"},
    )
    date_from = forms.DateField(
        label="From (date, UTC)", required=False, input_formats=["%Y-%m-%d"], error_messages=_DATE
    )
    date_to = forms.DateField(
        label="To (date, UTC)", required=False, input_formats=["%Y-%m-%d"], error_messages=_DATE
    )
    participant = forms.CharField(
        label="Participant id",
        required=False,
        max_length=16,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_-]+$",
                "a participant id has only letters, digits, - and _ (e.g. P3F2A91C0DE)",
            )
        ],
        error_messages={"max_length": "a participant id has at most 16 characters"},
    )
    page = forms.IntegerField(
        label="Page",
        required=False,
        min_value=1,
        error_messages={
            "invalid": "enter a whole page number from 1",
            "min_value": "enter a whole page number from 1",
        },
    )

    def __init__(self, data, *, actions: list[str], actors: list[str]) -> None:
        super().__init__(data)
        self.fields["action"].choices = [("", "Any action")] + [
            (code, audit_action(code)) for code in actions
        ]
        self.fields["actor"].choices = [("", "Anyone"), (NO_ACTOR, "participant/system")] + [
            (name, name) for name in actors
        ]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("date_from"), cleaned.get("date_to")
        if since and until and until < since:
            self.add_error("date_to", f"{until} is before the From date {since}")
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            action=data["action"],
            actor=data["actor"],
            since=data["date_from"],
            until=data["date_to"],
            participant=data["participant"],
        )

    def page_number(self) -> int:
        return self.cleaned_data["page"] or 1
