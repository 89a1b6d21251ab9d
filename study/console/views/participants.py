"""Console list of a study's participants (public ids only, never a token), and a researcher's
withdrawal of one of them with the reason (WRITE; services.withdrawals records it)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from study import permissions, services
from study.selectors.roster import WITHDRAWABLE, study_participant, study_participant_list
from study.services.withdrawals import WithdrawalInvalid, WithdrawalRefused

from ..forms import ParticipantSearchForm
from ..withdrawal_forms import WithdrawalForm

PARTICIPANTS_PER_PAGE = 50
NO_SUCH_PARTICIPANT = "No such participant in this study."


def _list_page(request, study, *, problem: tuple[str, str] | None = None, status: int = 200):
    """The list; ``problem`` is (public id, message) of a refused withdrawal, shown on its row.
    A search that could match nothing (a NUL, too long) is a 400 saying why, with no list."""
    search_form = ParticipantSearchForm(request.GET)
    if search_form.is_valid():
        search, search_error = search_form.cleaned_data["q"], ""
        found = study_participant_list(study=study, search=search)
    else:
        search, search_error, status, found = "", " ".join(search_form.errors["q"]), 400, []
    pages = Paginator(found, PARTICIPANTS_PER_PAGE)
    context = {
        "search_error": search_error,
        "study": study,
        "page": pages.get_page(request.GET.get("page")),
        "search": search,
        "withdrawable": WITHDRAWABLE,
        "may_withdraw": permissions.study_allows(
            study=study, user=request.user, action=permissions.WRITE
        ),
        "problem_id": problem[0] if problem else None,
        "problem": problem[1] if problem else None,
    }
    return render(request, "console/participants.html", context, status=status)


@permissions.study_view()
def participants(request, study):
    return _list_page(request, study)


@require_POST
@permissions.study_view(permissions.WRITE)
def participant_withdraw(request, study, public_id):
    participant = study_participant(study=study, public_id=public_id)
    if participant is None:
        raise Http404(NO_SUCH_PARTICIPANT)
    form = WithdrawalForm(request.POST)
    if not form.is_valid():
        return _list_page(request, study, problem=(public_id, form.errors["reason"][0]), status=400)
    if participant.status == participant.Status.WITHDRAWN:
        messages.info(request, f"{public_id} had already withdrawn; nothing changed.")
        return redirect(_back(study, public_id))
    try:
        services.participant_withdraw(
            participant=participant,
            actor=request.user,
            by="researcher",
            reason=form.cleaned_data["reason"],
        )
    except WithdrawalInvalid as refusal:
        return _list_page(request, study, problem=(public_id, str(refusal)), status=400)
    except WithdrawalRefused as refusal:
        return _list_page(request, study, problem=(public_id, str(refusal)), status=409)
    messages.success(
        request, f"{public_id} is withdrawn: their answers are left out of every export."
    )
    return redirect(_back(study, public_id))


def _back(study, public_id: str) -> str:
    return f"{reverse('console:participants', args=[study.slug])}?q={public_id}"
