"""The languages page of the builder: the study's language, and its texts in one further language
(the study texts, arm labels and personas, diagnosis labels, screening options, questionnaire
wording, and per case the vignette, feedback and both advice findings).

A field left empty means "not translated": participants reading that language see the study's
own text there. The form only shapes what was typed; services.translations checks and stores
it (one POST, one transaction) and a refusal is shown at the field it names."""

from django import forms
from django.conf import settings

from study.core import instruments
from study.core import translations as core
from study.models import Study
from study.selectors.texts import study_translation_sources

LANGUAGE_NAMES = dict(settings.LANGUAGES)
_STUDY_LABELS = {
    "title": "Title",
    "description": "Description (information page)",
    "consent_text": "Consent text",
    "debrief_text": "Debrief text",
    "rating_anchor_low": "Rating scale: low end",
    "rating_anchor_high": "Rating scale: high end",
    "confidence_anchor_low": "Confidence scale: low end",
    "confidence_anchor_high": "Confidence scale: high end",
}
_LONG = {"description", "consent_text", "debrief_text", "persona", "vignette", "feedback"}
_LONG_ROWS = {"rows": 4}


class StudyLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label="Language of the study's own texts",
        choices=settings.LANGUAGES,
        help_text="The texts on the design, instruments and cases pages are in this language; "
        "participants read it unless their link asks for a translated one (?lang=).",
    )


def _text_field(label: str, own: str, *, long: bool, max_length: int | None) -> forms.CharField:
    widget = forms.Textarea(attrs=_LONG_ROWS) if long else forms.TextInput()
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=widget,
        help_text=f"The study's own: {own}" if own else "",
    )


def _questionnaire(study: Study) -> tuple[instruments.Item, ...]:
    try:
        return instruments.questionnaire_parse(study.questionnaire_items)
    except instruments.InstrumentError:
        return ()


def _screening(study: Study) -> instruments.ScreeningOptions | None:
    try:
        return instruments.screening_parse(study.screening)
    except instruments.InstrumentError:
        return None


class TranslationForm(forms.Form):
    """One language's texts. ``paths`` maps each field to where its text is stored: a path in
    the language's Study.translations entry, or ("cases", code, text) for a case's."""

    def __init__(self, *args, study: Study, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.study, self.language = study, language
        self.paths: dict[str, tuple[str, ...]] = {}
        self.sections: list[tuple[str, list[str]]] = []
        given = (study.translations or {}).get(language, {})
        sources = study_translation_sources(study=study)
        self._section("The study's texts")
        for name, limit in core.STUDY_TEXTS.items():
            self._add(name, (name,), _STUDY_LABELS[name], getattr(study, name), given, limit)
        arms = sources.arms
        if arms:
            self._section("Arms: the source label and persona shown with the advice")
            for index, arm in enumerate(arms):
                for text, limit in core.ARM_TEXTS.items():
                    self._add(
                        f"arm_{index}_{text}",
                        ("arms", arm.code, text),
                        f"Arm {arm.code}: {text}",
                        getattr(arm, text),
                        given,
                        limit,
                    )
        diagnoses = sources.diagnoses
        if diagnoses:
            self._section("Diagnosis options")
            for index, (code, label) in enumerate(diagnoses):
                self._add(
                    f"diagnosis_{index}",
                    ("diagnoses", code),
                    f"Diagnosis {code}",
                    label,
                    given,
                    core.DIAGNOSIS_MAX,
                )
        self._screening_fields(study, given)
        self._questionnaire_fields(study, given)
        self._case_fields(sources.cases)

    def _section(self, title: str) -> None:
        self.sections.append((title, []))

    # Any given: the language's stored entry (nested texts).
    def _add(self, name, path, label, own, given, limit, *, initial=None) -> None:
        long = path[-1] in _LONG or path[-1].endswith("_findings")
        self.fields[name] = _text_field(label, own, long=long, max_length=limit)
        self.initial.setdefault(
            name, initial if initial is not None else core.text_in({"x": given}, "x", path, "")
        )
        self.paths[name] = path
        self.sections[-1][1].append(name)

    def _screening_fields(self, study: Study, given: dict) -> None:
        options = _screening(study)
        if options is None:
            return
        self._section("Screening options")
        for name in instruments.SCREENING_LISTS:
            for index, (code, label) in enumerate(getattr(options, name)):
                self._add(
                    f"screening_{name}_{index}",
                    ("screening", name, code),
                    f"{instruments.SCREENING_LABELS[name]}: {code}",
                    label,
                    given,
                    core.OPTION_MAX,
                )

    def _questionnaire_fields(self, study: Study, given: dict) -> None:
        items = _questionnaire(study)
        if not items:
            return
        self._section("Questionnaire after the last case")
        stored = given.get("questionnaire", {})
        for index, item in enumerate(items):
            where = ("questionnaire", item.code)
            self._add(
                f"item_{index}_wording",
                (*where, "wording"),
                f"Item {item.code}: wording",
                item.wording,
                given,
                core.WORDING_MAX,
            )
            if item.anchors:
                anchors = stored.get(item.code, {}).get("anchors") or ["", ""]
                for end, own, value in zip(("low", "high"), item.anchors, anchors, strict=True):
                    self._add(
                        f"item_{index}_anchor_{end}",
                        (*where, "anchors", end),
                        f"Item {item.code}: {end} end",
                        own,
                        given,
                        core.OPTION_MAX,
                        initial=value,
                    )
            for choice, (code, label) in enumerate(item.choices):
                self._add(
                    f"item_{index}_choice_{choice}",
                    (*where, "choices", code),
                    f"Item {item.code}: choice {code}",
                    label,
                    given,
                    core.OPTION_MAX,
                )

    def _case_fields(self, cases) -> None:
        if not cases:
            return
        self._section("Cases: vignette, feedback and the advice findings")
        for index, (case, advice) in enumerate(cases):
            texts = [
                ("vignette", case.vignette, case.translations, "vignette"),
                ("feedback", case.feedback, case.translations, "feedback"),
            ]
            for variant in ("accurate", "inaccurate"):
                if variant in advice:
                    row = advice[variant]
                    texts.append(
                        (f"{variant}_findings", row.findings, row.translations, "findings")
                    )
            for text, own, stored, key in texts:
                label = text.replace("_", " ")
                self._add(
                    f"case_{index}_{text}",
                    ("cases", case.code, text),
                    f"Case {case.code}: {label}",
                    own,
                    {},
                    (core.CASE_TEXTS | core.ADVICE_TEXTS)[key],
                    initial=core.text_in(stored, self.language, key, ""),
                )

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def translation(self) -> tuple[dict, dict[str, dict[str, str]]]:
        """The valid form as the service's ``texts`` (the language's Study.translations entry)
        and ``cases`` (per case code, its CASE_FIELDS)."""
        texts: dict = {}
        cases: dict[str, dict[str, str]] = {}
        anchors: dict[str, dict[str, str]] = {}
        for name, path in self.paths.items():
            value = self.cleaned_data.get(name, "")
            if path[0] == "cases":
                cases.setdefault(path[1], {})[path[2]] = value
            elif path[-2:-1] == ("anchors",):
                anchors.setdefault(path[1], {})[path[-1]] = value
            else:
                node = texts
                for key in path[:-1]:
                    node = node.setdefault(key, {})
                node[path[-1]] = value
        for code, ends in anchors.items():
            item = texts.setdefault("questionnaire", {}).setdefault(code, {})
            item["anchors"] = [ends.get("low", ""), ends.get("high", "")]
        return texts, cases

    def field_for(self, key: str) -> str | None:
        """The form field a service refusal's key names (``de.arms.ai.label``), if any."""
        parts = tuple(key.removeprefix(f"{self.language}.").split("."))
        for name, path in self.paths.items():
            if path == parts or (path[-2:-1] == ("anchors",) and path[:-1] == parts):
                return name
        return None
