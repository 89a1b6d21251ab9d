"""The query parameters of the API's lists, validated: a value that is not one of a field's
choices, not a boolean or not a date is a 400 naming the parameter and what it takes. Unknown
parameters are ignored (page and page_size are the pagination's, study.api.pagination)."""

from typing import Any

from rest_framework import serializers

from study.models import Case, Job, Participant, Study

_BOOLEAN = "true or false (also 1 or 0)"


def _choice(choices, what: str) -> serializers.ChoiceField:
    names = [value for value, _ in choices]
    return serializers.ChoiceField(
        choices=choices,
        required=False,
        help_text=f"only {what} of this value",
        error_messages={"invalid_choice": f'"{{input}}" is not one of: {", ".join(names)}.'},
    )


def _boolean(help_text: str) -> serializers.BooleanField:
    return serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=help_text,
        error_messages={"invalid": f"Must be {_BOOLEAN}."},
    )


def _text(max_length: int, help_text: str) -> serializers.CharField:
    return serializers.CharField(required=False, max_length=max_length, help_text=help_text)


def query_values(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    """The request's filter values, validated (ValidationError, a 400, otherwise)."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {name: value for name, value in query.validated_data.items() if value is not None}


class StudiesQuery(serializers.Serializer):
    status = _choice(Study.Status.choices, "studies")


class CasesQuery(serializers.Serializer):
    review_status = _choice(Case.Review.choices, "cases")
    is_training = _boolean("only training cases (true) or only rated cases (false)")


class ParticipantsQuery(serializers.Serializer):
    status = _choice(Participant.Status.choices, "participants")
    stratum = _text(40, "only participants of this stratum")
    arm = _text(40, "only participants allocated to the arm of this code")
    label = _text(100, "only links whose label starts with this")
    synthetic = _boolean("only simulated (true) or only real (false) participants")


class JobsQuery(serializers.Serializer):
    kind = _choice(Job.Kind.choices, "jobs")
    status = _choice(Job.Status.choices, "jobs")


class AuditQuery(serializers.Serializer):
    action = _text(60, 'one action ("study.open"), or every action it starts if it ends in "."')
    actor = _text(150, "only events of the account of this username")
    participant = _text(16, "only events about the participant of this public id")
    since = serializers.DateTimeField(
        required=False, help_text="events at or after this time (ISO 8601; UTC if no zone)"
    )
    until = serializers.DateTimeField(
        required=False, help_text="events before this time (ISO 8601; UTC if no zone)"
    )

    def validate(self, attrs: dict) -> dict:
        if "since" in attrs and "until" in attrs and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": ["until must be later than since."]})
        return attrs
