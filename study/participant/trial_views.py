"""The case pages of a participant: the trial (its questions by the study's response mode and
the arm, study.core.questions), the training feedback after it, and the images both show (the
case's derivatives, and a global-explanation arm's example images)."""

import json
from collections.abc import Callable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from study import selectors, services
from study.http import image_response
from study.models import Trial
from study.selectors.cases import TrialImages, example_image_file
from study.selectors.participants import participant_progress, study_question_plan
from study.selectors.texts import case_in, diagnoses_in
from study.services.responses import trial_feedback_seen

from . import trial_page
from .views import _context, _form_page, _page_study, _participant, _posted, at_step


@require_http_methods(["GET", "POST"])
@at_step("trial")
def trial(request, participant, step, position):
    study = _page_study(participant)  # its texts in the page's language
    trial = services.trial_show(trial=step.trial)
    arm = participant.arm
    plan = study_question_plan(study=study, arm=arm)
    diagnoses = diagnoses_in(study=study, language=get_language())
    pending = trial_page.reveal_pending(
        study=study, plan=plan, revealed=trial.advice_shown_at is not None
    )
    form = trial_page.trial_form(
        _posted(request), study=study, plan=plan, pending=pending, diagnoses=diagnoses
    )
    if request.method == "POST" and form.is_valid():
        if pending:
            services.trial_unaided_record(
                trial=trial,
                diagnosis=form.cleaned_data["unaided_diagnosis"],
                confidence=form.cleaned_data["unaided_confidence"],
            )
            return redirect("participant:trial", participant.token, position)
        try:
            services.response_record(trial=trial, answer=services.Answer(**form.cleaned_data))
        except services.ResponseInvalid as error:
            if error.field in form.fields:
                form.add_error(error.field, error.reason)
            else:
                form.add_error(None, str(error))
        else:
            return redirect("participant:entry", participant.token)
    page = trial_page.trial_context(
        study=study,
        trial=trial,
        arm=arm,
        plan=plan,
        form=form,
        pending=pending,
        diagnoses=diagnoses,
        language=get_language(),
        example_url=lambda name: reverse(
            "participant:example", args=[participant.token, trial.position, name]
        ),
    )
    context = _context(
        participant,
        step,
        **page,
        progress=participant_progress(trial=trial, total=step.total),
        images=_trial_image_urls(trial),
    )
    return _form_page(request, "participant/trial.html", context)


@require_http_methods(["GET", "POST"])
@at_step("feedback")
def feedback(request, participant, step, position):
    """After a training trial (study.training_feedback): the correct diagnosis, the
    participant's own answer and the team's explanation; Continue goes on to the next case."""
    trial = step.trial
    if request.method == "POST":
        trial_feedback_seen(trial=trial)
        return redirect("participant:entry", participant.token)
    diagnoses = diagnoses_in(study=participant.study, language=get_language())
    context = _context(
        participant,
        step,
        trial=trial,
        case=case_in(case=trial.case, language=get_language()),
        correct_label=dict(diagnoses).get(
            trial.case.reference_diagnosis, trial.case.reference_diagnosis
        ),
        answers=trial_page.answer_rows(response=trial.response, diagnoses=diagnoses),
        progress=participant_progress(trial=trial, total=step.total),
    )
    return render(request, "participant/feedback.html", context)


def _shown_trial(token: str, position: int) -> Trial | HttpResponse:
    participant = _participant(token)
    if selectors.participant_current_step(participant=participant).name == "withdrawn":
        return redirect("participant:withdrawn", token)  # nothing more is shown after that
    trial = selectors.participant_trial_at(participant=participant, position=position)
    if trial is None:
        raise Http404("No such case for this participant.")
    return trial


def image(
    request: HttpRequest, token: str, position: int, name: str
) -> FileResponse | HttpResponse:
    """A derivative of a case assigned to this participant; the name carries a content hash."""
    trial = _shown_trial(token, position)
    if isinstance(trial, HttpResponse):
        return trial
    stored = selectors.case_image_file(case=trial.case, name=name)
    if stored is None:
        raise Http404("No such image for this case.")
    return image_response(stored, name=name)


def example(
    request: HttpRequest, token: str, position: int, name: str
) -> FileResponse | HttpResponse:
    """An example image beside this trial's advice: only in a global-explanation arm, only once
    the advice is shown, and only an example of the diagnosis this trial's advice suggests."""
    trial = _shown_trial(token, position)
    if isinstance(trial, HttpResponse):
        return trial
    arm = trial.participant.arm
    if arm is None or arm.explanation != "global" or trial.advice_shown_at is None:
        raise Http404("No example images for this case.")
    stored = example_image_file(
        study=trial.participant.study, diagnosis=trial.advice.diagnosis, name=name
    )
    if stored is None:
        raise Http404("No such example image for this case.")
    return image_response(stored, name=name)


def viewer_image_urls(names: TrialImages, url: Callable[[str], str]) -> dict:
    """The viewer's images with URLs for their public names (the participant's image view, or
    the console's in the preview): preview, native, presets and the window/level source."""

    def maybe(name: str | None) -> str | None:
        return None if name is None else url(name)

    return {
        **names,
        # The template puts it in a data attribute: JSON, escaped there like any text.
        "source_window_json": json.dumps(names["source_window"]) if names["source"] else "",
        "preview": maybe(names["preview"]),
        "display": maybe(names["display"]),
        "source": maybe(names["source"]),
        "presets": [{**preset, "url": url(preset["file"])} for preset in names["presets"]],
    }


def _trial_image_urls(trial: Trial) -> dict:
    """The viewer's image URLs for a trial, served by `image` for this trial only."""
    return viewer_image_urls(
        selectors.trial_image_names(trial=trial),
        lambda name: reverse(
            "participant:image", args=[trial.participant.token, trial.position, name]
        ),
    )
