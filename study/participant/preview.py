"""Preview as participant: any page, any arm, any case and advice variant, on a draft or an open
study. It renders the participant templates with a condition chosen here and writes nothing (no
participant, trial, response, lock or audit event); every page says it is a preview."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from study import permissions, selectors, services
from study.http import image_response
from study.models import Advice
from study.selectors import texts
from study.selectors.cases import example_image_file
from study.selectors.participants import study_question_plan

from . import forms, trial_page
from .trial_views import viewer_image_urls

PAGES = ("consent", "screening", "trial", "questionnaire", "debrief")


def _choices_context(study, query) -> dict:
    choices = selectors.preview_choices(study=study)
    chosen = {
        "page": query.get("page") if query.get("page") in PAGES else "trial",
        "arm": query.get("arm") or (choices.arms[0][0] if choices.arms else ""),
        "case": query.get("case") or (choices.cases[0][0] if choices.cases else ""),
        "variant": query.get("variant")
        if query.get("variant") in Advice.Variant.values
        else Advice.Variant.ACCURATE,
        "annotated": query.get("annotated") == "1",
        "revealed": query.get("revealed") == "1",
    }
    return {"choices": choices, "chosen": chosen, "pages": PAGES, "variants": Advice.Variant}


@permissions.study_view(write_on_post=False)
def preview(request, study) -> HttpResponse:
    """In the study's language, or another it offers (``?lang=``), as a participant reads it."""
    requested = texts.language_requested(study=study, requested=request.GET.get("lang"))
    language = requested or texts.study_languages(study=study)[0]
    with translation.override(language):
        return _preview(request, texts.study_in(study=study, language=language), language)


def _preview(request, study, language: str) -> HttpResponse:
    query = request.GET
    context = {
        "study": study,
        "preview": True,
        "languages": texts.study_languages(study=study),
        "language": language,
        **_choices_context(study, query),
    }
    chosen = context["chosen"]
    data = request.POST if request.method == "POST" else None
    if chosen["page"] == "consent":
        context["form"] = forms.ConsentForm(data)
        return _checked(request, "participant/consent.html", context)
    if chosen["page"] == "screening":
        context["form"] = forms.ScreeningForm(data, study=study)
        return _checked(request, "participant/screening.html", context)
    if chosen["page"] == "questionnaire":
        context["form"] = forms.QuestionnaireForm(data, study=study)
        context["step"] = {"total": len(context["choices"].cases)}
        return _checked(request, "participant/questionnaire.html", context)
    if chosen["page"] == "debrief":
        context["form"] = forms.DebriefForm(data)
        return _checked(request, "participant/debrief.html", context)
    return _trial(request, study, context, language)


def _checked(request, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    if request.method == "POST" and form.is_valid():
        context["preview_outcome"] = "These answers would be accepted. Nothing was stored."
    return _form_page(request, template, context)


def _form_page(request, template: str, context: dict) -> HttpResponse:
    # As on the participant's own pages: answers the form refuses are a 400.
    status = 400 if context["form"].is_bound and context["form"].errors else 200
    return render(request, template, context, status=status)


def _trial(request, study, context: dict, language: str) -> HttpResponse:
    chosen = context["chosen"]
    choices = context["choices"]
    known = chosen["arm"] in dict(choices.arms) and chosen["case"] in dict(choices.cases)
    # Only a listed arm and case are looked up: any other text (a NUL too) finds nothing.
    trial = (
        selectors.preview_trial(
            study=study,
            arm=chosen["arm"],
            case=chosen["case"],
            variant=chosen["variant"],
            annotated=chosen["annotated"],
        )
        if known
        else None
    )
    if trial is None:
        context["preview_problem"] = (
            "Choose an arm and a case: this study has none to preview yet."
            if not (context["choices"].arms and context["choices"].cases)
            else "That arm, case or advice variant does not exist in this study."
        )
        return render(request, "console/preview_missing.html", context, status=404)
    diagnoses = texts.diagnoses_in(study=study, language=language)
    plan = study_question_plan(study=study, arm=trial.arm)
    pending = trial_page.reveal_pending(study=study, plan=plan, revealed=chosen["revealed"])
    data = request.POST if request.method == "POST" else None
    form = trial_page.trial_form(data, study=study, plan=plan, pending=pending, diagnoses=diagnoses)
    if request.method == "POST" and form.is_valid():
        context["preview_outcome"] = _trial_outcome(form, trial, pending)
    images = viewer_image_urls(
        selectors.trial_image_names(trial=trial),  # reads trial.case only
        lambda name: reverse("console:case_image", args=[study.slug, trial.case.code, name]),
    )
    page = trial_page.trial_context(
        study=study,
        trial=trial,
        arm=trial.arm,
        plan=plan,
        form=form,
        pending=pending,
        diagnoses=diagnoses,
        language=language,
        example_url=lambda name: reverse("participant:preview_example", args=[study.slug, name]),
    )
    shown = dict(
        progress={
            "label": _("Case %(position)s of %(total)s")
            % {"position": trial.position, "total": trial.total},
            "answered": trial.position - 1,
            "total": trial.total,
            "text": _("%(answered)s of %(total)s cases answered")
            % {"answered": trial.position - 1, "total": trial.total},
        },
        images=images,
    )
    return _form_page(request, "participant/trial.html", {**context, **page, **shown})


def _trial_outcome(form, trial, pending: bool) -> str | None:
    """What posting this trial page would do; None (and the form's errors) when the service
    would refuse it: the same decision rule as response_record's."""
    if pending:
        return "The unaided read would be stored and the advice revealed. Nothing was stored."
    cleaned = form.cleaned_data
    if "decision" in cleaned and "final_diagnosis" in cleaned:
        try:
            services.decision_validate(
                decision=cleaned["decision"],
                final_diagnosis=cleaned["final_diagnosis"],
                advised_diagnosis=trial.advice.diagnosis,
            )
        except services.ResponseInvalid as error:
            form.add_error(error.field, error.reason)
            return None
    return "This answer would be accepted. Nothing was stored."


@permissions.study_view(write_on_post=False)
def example(request, study, name: str) -> FileResponse:
    """An example image of the study's library, for the preview's example strip."""
    for code, _label in selectors.study_diagnoses(study=study):
        stored = example_image_file(study=study, diagnosis=code, name=name)
        if stored is not None:
            return image_response(stored, name=name)
    raise Http404("No such example image in this study.")
