"""Studies with texts in German for the i18n tests: every text a participant reads given in
German through the translations service (the console page's writer), so a test can tell the
study's own English texts, its German ones and the pages' own strings apart."""

from collections.abc import Callable

from study import services
from study.core import instruments
from study.models import Study
from study.services.translations import study_translation_save
from tests.factories import UserFactory, gaube_study


def german_texts(study: Study, german: Callable[[str], str]) -> tuple[dict, dict]:
    """The study's German translation with each text ``german(own text)``: the service's
    ``texts`` and ``cases``."""
    screening = instruments.screening_parse(study.screening)
    items = instruments.questionnaire_parse(study.questionnaire_items)
    texts = {
        name: german(getattr(study, name))
        for name in (
            "title",
            "description",
            "consent_text",
            "debrief_text",
            "rating_anchor_low",
            "rating_anchor_high",
            "confidence_anchor_low",
            "confidence_anchor_high",
        )
        if getattr(study, name)
    }
    texts["arms"] = {
        arm.code: {"label": german(arm.label), "persona": german(arm.persona)}
        for arm in study.arms.all()
        if arm.persona
    } | {arm.code: {"label": german(arm.label)} for arm in study.arms.all() if not arm.persona}
    texts["diagnoses"] = {
        code: german(label) for code, label in study.diagnoses.values_list("code", "label")
    }
    texts["screening"] = {
        name: {code: german(label) for code, label in getattr(screening, name)}
        for name in instruments.SCREENING_LISTS
    }
    texts["questionnaire"] = {
        item.code: {
            "wording": german(item.wording),
            **({"anchors": [german(a) for a in item.anchors]} if item.anchors else {}),
            **(
                {"choices": {c: german(label) for c, label in item.choices}} if item.choices else {}
            ),
        }
        for item in items
    }
    cases = {}
    for case in study.cases.prefetch_related("advice"):
        advice = {a.variant: a.findings for a in case.advice.all()}
        cases[case.code] = {
            "vignette": german(case.vignette),
            "feedback": german(case.feedback) if case.feedback else "",
            "accurate_findings": german(advice["accurate"]),
            "inaccurate_findings": german(advice["inaccurate"]),
        }
    return texts, cases


def translated_study(
    german: Callable[[str], str], *, open_study: bool = True, **overrides
) -> Study:
    """gaube_study (English) with every text also in German, opened unless ``open_study`` is
    False; ``overrides`` are Study fields."""
    owner = UserFactory(username="translator")
    study = gaube_study(owner=owner, open_study=False, **overrides)
    texts, cases = german_texts(study, german)
    study_translation_save(study=study, actor=owner, language="de", texts=texts, cases=cases)
    study = Study.objects.get(pk=study.pk)
    return services.study_open(study=study) if open_study else study
