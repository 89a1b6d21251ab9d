"""The unsubscribe link of an invitation e-mail (/u/<unsubscribe_token>/): GET asks, only the
confirm button's POST unsubscribes (a mail scanner following the link changes nothing)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from study import selectors, services
from study.selectors import texts


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    row = selectors.invitation_email_by_unsubscribe_token(token=token)
    if row is None:
        raise Http404("No such unsubscribe link.")
    participant = row.participant
    language = texts.participant_language(participant=participant)
    with translation.override(language):
        study = texts.study_in(study=participant.study, language=language)
        if request.method == "POST":
            row = services.email_unsubscribe(row=row)
        context = {"study": study, "done": row.unsubscribed_at is not None}
        response = render(request, "participant/unsubscribe.html", context)
    response.headers.setdefault("Content-Language", language)
    return response
