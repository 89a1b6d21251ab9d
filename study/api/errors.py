"""The API's error answers, described once for the OpenAPI schema: each view names the ones it
gives, so that every status code it can answer with is documented with its body."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    """An error answered with one message."""

    detail = serializers.CharField()


# What a refused request body or query gets: each field named with its message (or messages);
# a body that is not JSON at all gets {"detail": ...}.
FIELD_ERRORS = {
    "type": "object",
    "description": "Each field (or non_field_errors, or detail) with what is wrong with it.",
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
}

BAD_REQUEST = OpenApiResponse(FIELD_ERRORS, description="the request names what is wrong")
UNAUTHORIZED = OpenApiResponse(
    ErrorDetailSerializer,
    description="no credentials, or a token that is not valid (send 'Authorization: Token <key>')",
)
FORBIDDEN = OpenApiResponse(
    ErrorDetailSerializer,
    description="not signed in, or the account's role in the study does not allow this",
)
NOT_FOUND = OpenApiResponse(ErrorDetailSerializer, description="no such study for this account")
CONFLICT = OpenApiResponse(ErrorDetailSerializer, description="the study's state refuses this")
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(
    ErrorDetailSerializer, description="a request body in a format the API does not read"
)

# The URL converters' own rule (<slug:...>): anything else is no URL of the API at all.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SLUG = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, pattern=SLUG_PATTERN, description="the study's slug"
)

# What every operation may answer before it looks at the request: who is asking.
SIGNED_IN = {401: UNAUTHORIZED, 403: FORBIDDEN}
# A list: its filters or page refused (400), no such study (404).
LISTED = {400: BAD_REQUEST, **SIGNED_IN, 404: NOT_FOUND}
