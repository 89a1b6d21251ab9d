"""Participant pages. Each view serves one step; a request for any other step is redirected to
the participant's current step, so reloads, the back button and closed tabs resume safely. The
case pages (trial, training feedback, images) are in trial_views."""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from study import selectors, services
from study.models import Participant, Study, Trial
from study.selectors import texts
from study.services.activity import participant_seen
from study.services.translations import participant_language_set

from . import forms, saved

_STEP_URLS = {
    "consent": "participant:consent",
    "declined": "participant:status",
    "ineligible": "participant:status",
    "full": "participant:status",
    "reissued": "participant:status",
    "screening": "participant:screening",
    "trial": "participant:trial",
    "feedback": "participant:feedback",
    "questionnaire": "participant:questionnaire",
    "debrief": "participant:debrief",
    "done": "participant:done",
    "withdrawn": "participant:withdrawn",
    "revoked": "participant:entry",
}
# The steps of someone taking part: each offers the withdrawal link, and serving one stamps the
# participant's last activity. The others (declined, screened out, withdrawn...) record nothing.
TAKING_PART = ("consent", "screening", "trial", "feedback", "questionnaire", "debrief", "done")
# The steps at one case: their URL carries its position, served only at the current one.
CASE_STEPS = ("trial", "feedback")


def _step_url(participant: Participant, step: selectors.Step, *, saved_marker=None) -> str:
    if step.name in CASE_STEPS:
        url = reverse(_STEP_URLS[step.name], args=[participant.token, step.position])
    else:
        url = reverse(_STEP_URLS[step.name], args=[participant.token])
    return f"{url}?{saved.PARAM}={saved_marker}" if saved_marker else url


def at_step(*names: str):
    """Load the participant by token and serve the view only at one of `names` steps."""

    def decorate(view):
        @wraps(view)
        @never_cache
        def wrapped(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
            participant = _participant(token)
            step = selectors.participant_current_step(participant=participant)
            if step.name == "revoked":
                return _revoked(request, participant, step)
            if step.name not in names or (
                # A case page is served only at the current case; a page of every step
                # (the withdrawal confirmation) has no position to check.
                step.name in CASE_STEPS
                and "position" in kwargs
                and kwargs["position"] != step.position
            ):
                # Back to an answered case or step: the page it leads to says it is saved.
                marker = saved.saved_marker(
                    participant=participant, step=step, names=names, position=kwargs.get("position")
                )
                return redirect(_step_url(participant, step, saved_marker=marker))
            if step.name in TAKING_PART:
                participant_seen(participant=participant)
            if request.method == "GET" and saved.PARAM in request.GET:
                notice = saved.saved_notice(
                    participant=participant, step=step, marker=request.GET[saved.PARAM]
                )
                if notice is not None:
                    messages.info(request, notice)  # shown at the top, role=status
            try:
                return view(request, participant, step, **kwargs)
            except services.StudyStateError:
                # e.g. the study closed between two pages: say so instead of failing.
                context = _context(participant, step)
                return render(request, "participant/closed.html", context, status=403)
            except (services.ParticipantStateError, Trial.DoesNotExist):
                # A concurrent request (second tab) moved the participant on: follow it.
                participant.refresh_from_db()
                return redirect(
                    _step_url(
                        participant, selectors.participant_current_step(participant=participant)
                    )
                )

        return _in_participant_language(wrapped)

    return decorate


def _in_participant_language(view):
    """Serve a participant's page in their language (texts.participant_language: the one
    recorded at consent or chosen by the link, else the study's); the console and the API stay
    in the site's language."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        participant = _participant(token)
        language = texts.participant_language(participant=participant)
        with translation.override(language):
            response = view(request, token, **kwargs)
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapped


def _revoked(request: HttpRequest, participant: Participant, step: selectors.Step) -> HttpResponse:
    """Every page of a link the study team revoked: 410 Gone, saying who withdrew it."""
    return render(request, "participant/revoked.html", _context(participant, step), status=410)


def _participant(token: str) -> Participant:
    participant = selectors.participant_by_token(token=token)
    if participant is None:
        raise Http404("No such invitation.")
    return participant


def _context(participant: Participant, step: selectors.Step, **extra) -> dict:
    return {"participant": participant, "study": _page_study(participant), "step": step, **extra}


def _page_study(participant: Participant) -> Study:
    """The study's texts in the language active for the page (for templates and forms only)."""
    return texts.study_in(study=participant.study, language=translation.get_language())


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (``request.POST or None`` would take an empty
    POST for a first visit and answer it 200 without saying what is missing)."""
    return request.POST if request.method == "POST" else None


def _form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A page with a form: a refused answer (the form re-shown with its errors) is a 400."""
    form = context["form"]
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def _service_error(form, error: services.ResponseInvalid) -> None:
    """A service's refusal shown on the form: next to its field when the form has it."""
    if error.field in form.fields:
        form.add_error(error.field, error.reason)
    else:
        form.add_error(None, str(error))


@never_cache
def entry(request: HttpRequest, token: str) -> HttpResponse:
    participant = _participant(token)
    if participant.status == Participant.Status.REVOKED:
        language = texts.participant_language(participant=participant)
        with translation.override(language):
            step = selectors.participant_current_step(participant=participant)
            response = _revoked(request, participant, step)
        response.headers.setdefault("Content-Language", language)
        return response
    # A link may choose among the study's languages (?lang=de) until the participant consents.
    language = texts.language_requested(study=participant.study, requested=request.GET.get("lang"))
    if language and participant.status == Participant.Status.INVITED:
        participant_language_set(participant=participant, language=language)
    return redirect(
        _step_url(participant, selectors.participant_current_step(participant=participant))
    )


@require_http_methods(["GET", "POST"])
@at_step("consent")
def consent(request, participant, step):
    if participant.study.status != Study.Status.RECRUITING:
        return render(request, "participant/closed.html", _context(participant, step), status=403)
    form = forms.ConsentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        participant = services.participant_consent(
            participant=participant,
            agreed=form.cleaned_data["agree"],
            language=translation.get_language(),  # the language the consent was read in
        )
        return redirect("participant:entry", participant.token)
    return _form_page(request, "participant/consent.html", _context(participant, step, form=form))


@at_step("declined", "ineligible", "full", "reissued")
def status(request, participant, step):
    context = _context(
        participant, step, panel_return=services.panel_return(participant=participant)
    )
    return render(request, f"participant/{step.name}.html", context)


@require_http_methods(["GET", "POST"])
@at_step("screening")
def screening(request, participant, step):
    form = forms.ScreeningForm(_posted(request), study=_page_study(participant))
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_enrol(
                participant=participant, screening=services.Screening(**form.cleaned_data)
            )
        except services.ResponseInvalid as error:
            _service_error(form, error)
        else:
            return redirect("participant:entry", participant.token)
    return _form_page(request, "participant/screening.html", _context(participant, step, form=form))


@require_http_methods(["GET", "POST"])
@at_step("questionnaire")
def questionnaire(request, participant, step):
    form = forms.QuestionnaireForm(_posted(request), study=_page_study(participant))
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_record(participant=participant, answers=form.cleaned_data)
        except services.ResponseInvalid as error:
            _service_error(form, error)
        else:
            return redirect("participant:entry", participant.token)
    context = _context(participant, step, form=form)
    return _form_page(request, "participant/questionnaire.html", context)


@require_http_methods(["GET", "POST"])
@at_step("debrief")
def debrief(request, participant, step):
    form = forms.DebriefForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.participant_complete(
            participant=participant, withdraw=form.cleaned_data["choice"] == "withdraw"
        )
        return redirect("participant:entry", participant.token)
    return _form_page(request, "participant/debrief.html", _context(participant, step, form=form))


@at_step("done")
def done(request, participant, step):
    context = _context(
        participant, step, panel_return=services.panel_return(participant=participant)
    )
    return render(request, "participant/done.html", context)


@require_http_methods(["GET", "POST"])
@at_step(*TAKING_PART)
def withdraw(request, participant, step):
    """GET says what withdrawing means; only the confirm button's POST withdraws. Once
    withdrawn, this URL (like every other) leads to the withdrawn page, so a resent POST is
    harmless."""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            context = _withdraw_context(participant, step, error=str(WITHDRAW_CONFIRM_MISSING))
            return render(request, "participant/withdraw.html", context, status=400)
        services.participant_withdraw(participant=participant, by="participant")
        return redirect("participant:withdrawn", participant.token)
    return render(request, "participant/withdraw.html", _withdraw_context(participant, step))


def _withdraw_context(participant: Participant, step: selectors.Step, **extra) -> dict:
    return _context(participant, step, step_label=_STEP_LABELS[step.name], **extra)


# The step a withdrawal is recorded at, in the participant's words (lazy: shown in the
# participant's language at the page).
_STEP_LABELS = {
    "consent": gettext_lazy("information and consent"),
    "screening": gettext_lazy("questions about you"),
    "trial": gettext_lazy("the cases"),
    "feedback": gettext_lazy("the cases"),
    "questionnaire": gettext_lazy("the last questions"),
    "debrief": gettext_lazy("what the study was about"),
    "done": gettext_lazy("after finishing"),
}


WITHDRAW_CONFIRM_MISSING = gettext_lazy(
    'Nothing was withdrawn: use the button "Yes, withdraw me from this study" to confirm.'
)


@at_step("withdrawn")
def withdrawn(request, participant, step):
    context = _context(
        participant, step, panel_return=services.panel_return(participant=participant)
    )
    return render(request, "participant/withdrawn.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the study; only POST creates a participant (link previews and bots don't).
    A study recruiting from a panel needs the panel's id on the link (GET and POST: the start
    form posts to the page's own address, query included); an id seen before resumes its
    participant."""
    study = selectors.study_by_enrolment_token(token=token)
    if study is None:
        raise Http404("No such enrolment link.")
    # ?lang= chooses among the study's languages (the form posts back to this same URL, with
    # the panel's parameters in its query).
    requested = texts.language_requested(study=study, requested=request.GET.get("lang"))
    language = requested or texts.study_languages(study=study)[0]
    with translation.override(language):
        context = {"study": texts.study_in(study=study, language=language)}
        try:
            panel = services.panel_values_read(study=study, query=request.GET)
        except services.PanelLinkInvalid as problem:
            context["problem"] = problem
            return render(request, "participant/panel_link_invalid.html", context, status=400)
        if panel is not None:
            returning = selectors.participant_by_external_id(
                study=study, external_id=panel.external_id
            )
            if returning is not None:
                return redirect("participant:entry", returning.token)
        if study.status != Study.Status.RECRUITING:
            return render(request, "participant/closed.html", context, status=403)
        if request.method == "POST":
            participant = services.participant_self_enrol(study=study, panel=panel)
            entry = reverse("participant:entry", args=[participant.token])
            return redirect(f"{entry}?lang={requested}" if requested else entry)
        return render(request, "participant/open_link.html", context)
