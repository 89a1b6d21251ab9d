"""The builder's languages page: the study's language and its texts in further languages.

Roles as elsewhere: viewers see the texts, owners and collaborators change them while the
design is a draft (translations are part of the design: hashed, frozen at the first
enrolment). One POST saves one form in one transaction; a refusal is shown at its field, 400.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from study import permissions, services
from study.core.translations import TranslationError
from study.models import Study
from study.services.translations import study_language_set, study_translation_save

from ..form_fields import add_service_error
from ..translation_forms import LANGUAGE_NAMES, StudyLanguageForm, TranslationForm

_REFUSALS = (TranslationError, services.StudyStateError)


def _translated_language(study: Study, requested: str | None) -> str | None:
    """The language whose texts the page edits: ?lang= when it is another site language,
    else the first one that is not the study's own (None: the site has no other)."""
    others = [code for code in LANGUAGE_NAMES if code != study.language]
    if requested is None:
        return others[0] if others else None
    if requested not in others:
        raise Http404("No such language to translate this study into.")
    return requested


def _page_url(study: Study, language: str | None) -> str:
    url = reverse("console:translations", args=[study.slug])
    return f"{url}?lang={language}" if language else url


@require_http_methods(["GET", "POST"])
@permissions.study_view(write_on_post=True)
def translations(request, study):
    language = _translated_language(study, request.GET.get("lang"))
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form") if posted is not None else None
    language_form = StudyLanguageForm(
        posted if which == "language" else None, initial={"language": study.language}
    )
    translation_form = (
        TranslationForm(posted if which == "translation" else None, study=study, language=language)
        if language
        else None
    )
    if which == "language" and language_form.is_valid():
        try:
            saved = study_language_set(
                study=study, actor=request.user, language=language_form.cleaned_data["language"]
            )
        except _REFUSALS as refusal:
            add_service_error(language_form, refusal)
        else:
            messages.success(request, "The study's language is saved.")
            return redirect(_page_url(saved, None))
    elif which == "translation" and translation_form is not None and translation_form.is_valid():
        texts, cases = translation_form.translation()
        try:
            changed = study_translation_save(
                study=study, actor=request.user, language=language, texts=texts, cases=cases
            )
        except _REFUSALS as refusal:
            field = translation_form.field_for(getattr(refusal, "key", ""))
            translation_form.add_error(field, str(refusal))
        else:
            messages.success(
                request,
                f"{len(changed)} text(s) in {LANGUAGE_NAMES[language]} saved."
                if changed
                else "Nothing changed.",
            )
            return redirect(_page_url(study, language))
    elif posted is not None and which not in ("language", "translation"):
        # Bound to the saved language, so the refusal can be put on it (an unbound form has
        # no cleaned_data for add_error: that was a 500).
        language_form = StudyLanguageForm({"language": study.language})
        language_form.is_valid()
        language_form.add_error(None, "Choose which form to save.")
    can_edit = permissions.study_allows(study=study, user=request.user, action="write")
    if study.design_locked_at is not None or not can_edit:
        for form in (language_form, translation_form):
            for field in form.fields.values() if form is not None else ():
                field.disabled = True
    bad = language_form.errors or (translation_form is not None and translation_form.errors)
    context = {
        "study": study,
        "language_form": language_form,
        "form": translation_form,
        "language": language,
        "language_name": LANGUAGE_NAMES.get(language or "", ""),
        "others": [(code, name) for code, name in LANGUAGE_NAMES.items() if code != study.language],
        "can_edit": can_edit,
    }
    return render(request, "console/builder/translations.html", context, status=400 if bad else 200)
