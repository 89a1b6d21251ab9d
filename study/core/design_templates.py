"""The five reference designs of DESIGN.md section 1 as study templates: the published parameters
as Study settings, the arms, a starter diagnosis list and texts that disclose what the design does.

Rule: pure data. ``settings`` keys are Study field names (services.design_rules.DESIGN_FIELDS,
without slug and seed: each study gets its own); a template is a starting point the team edits,
and each description says where it simplifies the paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from . import instruments, vocabulary
from .questionnaire import Item


class UnknownTemplate(ValueError):
    """A template name that is not one of TEMPLATES; the message lists the known names."""


@dataclass(frozen=True)
class TemplateArm:
    code: str
    advice_source: str  # "ai" | "human" | "none" (a no-advice control)
    label: str
    persona: str = ""
    weight: int = 1
    explanation: str = "none"  # "none" | "local" | "global"

    def as_kwargs(self) -> dict[str, Any]:
        """The arm as services.arm_save's keyword arguments."""
        return {
            "code": self.code,
            "advice_source": self.advice_source,
            "label": self.label,
            "persona": self.persona,
            "weight": self.weight,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class DesignTemplate:
    name: str  # the code: console form value, demo_seed --design
    title: str  # what the console lists
    description: str  # one paragraph: the paper, the parameters, where the template simplifies
    settings: MappingProxyType[str, Any]
    arms: tuple[TemplateArm, ...]
    diagnoses: tuple[tuple[str, str], ...]  # (code, label) in position order
    consent_text: str
    debrief_text: str
    information: str = ""  # Study.description: the participants' information page
    notes: tuple[str, ...] = field(default=())  # what the team still has to add

    def key_parameters(self) -> tuple[tuple[str, str], ...]:
        """(label, value) rows the console shows beside the description."""
        s = self.settings
        arms = "; ".join(
            f"{arm.code}: {arm.label} ({arm.advice_source}, explanation {arm.explanation})"
            for arm in self.arms
        )
        questions = ", ".join(
            name for name in ("rating", "decision", "diagnosis", "confidence") if s[f"ask_{name}"]
        )
        return (
            ("Arms", arms),
            ("Cases per participant", str(s["cases_per_participant"])),
            ("Inaccurate advice", str(s["inaccurate_per_participant"])),
            ("Annotated", str(s["annotated_per_participant"])),
            (
                "Response mode",
                s["response_mode"] + (" (read, then reveal)" * s["read_then_reveal"]),
            ),
            ("Questions", questions or "none besides the response mode's"),
            ("Displayed AI confidence", s["confidence_display"]),
            ("Training feedback", "yes" if s["training_feedback"] else "no"),
            ("Strata by", s["stratify_by"].replace("_", " ")),
            ("Diagnosis options", ", ".join(label for _code, label in self.diagnoses)),
        )


# --- shared parts --------------------------------------------------------------------------------

CHEST_XRAY_DIAGNOSES = (
    ("normal", "No acute abnormality"),
    ("pneumonia", "Pneumonia"),
    ("pneumothorax", "Pneumothorax"),
    ("pleural_effusion", "Pleural effusion"),
    ("heart_failure", "Congestive heart failure / pulmonary oedema"),
    ("lung_mass", "Lung mass / nodule"),
    ("atelectasis", "Atelectasis"),
    ("rib_fracture", "Rib fracture"),
    ("emphysema", "COPD / emphysema"),
    ("tuberculosis", "Tuberculosis"),
)
BIRADS_CATEGORIES = (
    ("birads1", "BI-RADS 1: negative"),
    ("birads2", "BI-RADS 2: benign"),
    ("birads3", "BI-RADS 3: probably benign"),
    ("birads4", "BI-RADS 4: suspicious"),
    ("birads5", "BI-RADS 5: highly suggestive of malignancy"),
)
_CHEST_AI = "CHEST-AI is an artificial intelligence system for reading chest radiographs."
AI_ARM = TemplateArm("ai", "ai", "CHEST-AI", _CHEST_AI)
HUMAN_ARM = TemplateArm(
    "human",
    "human",
    "Dr. S. Johnson",
    "Dr. S. Johnson is an experienced radiologist with 15 years of practice.",
)

# The Study defaults, so each template states every design setting it relies on.
_BASE: dict[str, Any] = {
    "cases_per_participant": 8,
    "inaccurate_per_participant": 2,
    "annotated_per_participant": 0,
    "order_policy": "random",
    "read_then_reveal": False,
    "rating_scale_max": 7,
    "confidence_scale_max": 7,
    "block_multiplier": 1,
    "reissue_after_minutes": None,
    "stratify_by": "specialty",
    "stratum_map": dict(vocabulary.DEFAULT_STRATUM_MAP),
    "response_mode": "gaube",
    "ask_rating": True,
    "ask_decision": True,
    "ask_diagnosis": True,
    "ask_confidence": True,
    "rating_anchor_low": "very poor",
    "rating_anchor_high": "excellent",
    "confidence_anchor_low": "not at all",
    "confidence_anchor_high": "completely",
    "confidence_display": "ai",
    "training_feedback": False,
    "screening": instruments.screening_default_json(),
    "questionnaire_items": instruments.questionnaire_default_json(),
}


def _settings(**changes: Any) -> MappingProxyType[str, Any]:
    unknown = sorted(set(changes) - set(_BASE))
    if unknown:  # a typo would silently leave the default in place
        raise KeyError(f"not a template setting: {', '.join(unknown)}")
    return MappingProxyType({**_BASE, **changes})


_STOP = (
    "Your answers are stored under a pseudonymous code. You can stop at any time, and you can "
    "withdraw your answers at the end of the study. Taking part is voluntary."
)
_WHY_NOT_BEFORE = (
    "We could not tell you this at the start without changing the results. If you prefer that "
    "your answers are not used, you can withdraw them below."
)
_THANKS = "Thank you. Before you finish, we need to tell you more about the study."
_PEOPLE_WROTE = (
    "In fact, all advice was written by people for this study, and no AI system was involved."
)
_WRONG = (
    "In addition, some of the advice was deliberately wrong. This let us measure how often "
    "advice is followed when it is inaccurate. It says nothing about your own skill: inaccurate "
    "advice was written to be plausible."
)


def _consent(body: str) -> str:
    return f"{body}\n\n{_STOP}"


def _debrief(*paragraphs: str) -> str:
    return "\n\n".join((_THANKS, *paragraphs, _WHY_NOT_BEFORE))


_SOURCE_LABEL = (
    "The study tested how the stated source of diagnostic advice affects physicians. "
    "Participants were randomly assigned to see the same advice labelled either as coming from "
    "an AI system or as coming from an experienced radiologist. " + _PEOPLE_WROTE
)
_CHEST_CONSENT = (
    "You are invited to take part in a study on how physicians use diagnostic advice when they "
    "read chest radiographs. You will see 8 short cases, each with a patient vignette, a chest "
    "X-ray and a piece of advice. "
)

# --- the five templates --------------------------------------------------------------------------

GAUBE2021 = DesignTemplate(
    name="gaube2021",
    title="Gaube et al. 2021: source of advice (AI vs radiologist)",
    description=(
        "Gaube S, et al. Do as AI say: susceptibility in deployment of clinical decision-aids. "
        "npj Digit Med 2021;4:31. Between subjects, the advice is labelled as coming from "
        "CHEST-AI or from Dr. S. Johnson, an experienced radiologist; within subjects, 2 of 8 "
        "chest X-ray cases carry inaccurate advice (which ones varies per participant). Each "
        "case asks for the advice's quality (1-7), accept / slightly modify / reject, the final "
        "diagnosis and confidence (1-7). Participants are stratified into radiology vs internal "
        "/ emergency medicine, as in the paper (138 radiologists, 127 IM/EM physicians)."
    ),
    settings=_settings(),
    arms=(AI_ARM, HUMAN_ARM),
    diagnoses=CHEST_XRAY_DIAGNOSES,
    consent_text=_consent(
        _CHEST_CONSENT + "For each case you rate the advice, decide whether to accept, modify "
        "or reject it, give your final diagnosis and say how confident you are. It takes about "
        "15 minutes."
    ),
    debrief_text=_debrief(_SOURCE_LABEL, _WRONG),
    notes=("Import 8 or more cases, each with accurate and inaccurate advice.",),
)

GAUBE2023 = DesignTemplate(
    name="gaube2023",
    title="Gaube et al. 2023: source label and visual annotation",
    description=(
        "Gaube S, et al. Non-task expert physicians benefit from correct explainable AI advice "
        "when reviewing X-rays. Sci Rep 2023;13:1383. Between subjects, the source label (AI "
        "vs radiologist); within subjects, a visual annotation (box or arrow on the image) is "
        "drawn in 4 of 8 cases. All advice is accurate (0 inaccurate). Questions as Gaube 2021. "
        "Both arms have the local explanation, so the allocated annotations are drawn in both. "
        "The template keeps Gaube 2021's strata (radiology vs IM/EM)."
    ),
    settings=_settings(inaccurate_per_participant=0, annotated_per_participant=4),
    arms=(
        TemplateArm(**{**AI_ARM.as_kwargs(), "explanation": "local"}),
        TemplateArm(**{**HUMAN_ARM.as_kwargs(), "explanation": "local"}),
    ),
    diagnoses=CHEST_XRAY_DIAGNOSES,
    consent_text=_consent(
        _CHEST_CONSENT + "In some cases the advice marks a region on the image. For each case "
        "you rate the advice, decide whether to accept, modify or reject it, give your final "
        "diagnosis and say how confident you are. It takes about 15 minutes."
    ),
    debrief_text=_debrief(
        _SOURCE_LABEL,
        "In addition, the advice marked a region on the image in half of the cases, chosen at "
        "random for each participant, so that we could measure what such explanations change.",
    ),
    notes=("Import 8 or more cases whose advice has an annotation (box or arrow).",),
)

PRINSTER2024 = DesignTemplate(
    name="prinster2024",
    title="Prinster et al. 2024: local vs global AI explanations, simple trust",
    description=(
        "Prinster D, et al. Care to explain? AI explanation types differentially impact chest "
        "radiograph diagnostic performance and physician trust in AI. Radiology 2024;313:"
        "e233261. Between subjects, the explanation type of AI-labelled advice: local (a box on "
        "the image) or global (example images of the suggested diagnosis from the study's "
        "example library). Within subjects, 2 of 8 cases carry inaccurate advice, and the AI's "
        "confidence (65-94 %) is shown with the advice. Each case asks only agree or disagree; "
        "the time from the advice shown to the click is the simple-trust outcome. The template "
        "simplifies: the case and inaccurate counts follow the Gaube family (8 and 2; set the "
        "protocol's), and it has no no-advice control; add an arm with source none if the "
        "protocol compares with unaided reading."
    ),
    settings=_settings(
        annotated_per_participant=8,
        response_mode="agree_disagree",
        ask_rating=False,
        ask_decision=False,
        ask_confidence=False,
        confidence_display="ai",
    ),
    arms=(
        TemplateArm("local", "ai", "CHEST-AI", _CHEST_AI, explanation="local"),
        TemplateArm("global", "ai", "CHEST-AI", _CHEST_AI, explanation="global"),
    ),
    diagnoses=CHEST_XRAY_DIAGNOSES,
    consent_text=_consent(
        _CHEST_CONSENT + "The advice comes with its confidence and an explanation. For each "
        "case you say whether you agree or disagree with the advice, as quickly as you can "
        "while being accurate. It takes about 10 minutes."
    ),
    debrief_text=_debrief(
        "The study tested how the kind of explanation that comes with AI advice affects "
        "physicians' trust. Participants were randomly assigned to explanations that mark a "
        "region on the image or to example images of the suggested diagnosis. "
        + _PEOPLE_WROTE
        + " The confidence shown with the advice was set by the study team.",
        _WRONG,
    ),
    notes=(
        "Import cases whose advice has an annotation and a displayed confidence.",
        "Add example images for every diagnosis the advice suggests (the global arm shows them).",
    ),
)

_DRATSCH_QUESTIONNAIRE = [
    instruments.item_to_json(
        Item(
            "mammograms_per_year",
            "About how many mammograms do you read in a year?",
            "number",
            scale=(0, 100000),
        )
    ),
    *instruments.questionnaire_default_json(),
]

DRATSCH2023 = DesignTemplate(
    name="dratsch2023",
    title="Dratsch et al. 2023: automation bias in mammography (BI-RADS)",
    description=(
        "Dratsch T, et al. Automation bias in mammography: the impact of artificial "
        "intelligence BI-RADS suggestions on reader performance. Radiology 2023;307:e222176. "
        "One AI-labelled arm; readers are stratified by experience level (the template's bands "
        "of years of experience: under 5, 5 to 9, 10 or more; set the protocol's). Each reader "
        "first works through 10 training cases with correct suggestions and feedback after "
        "each, then 40 test cases of which 12 carry "
        "an incorrect BI-RADS suggestion. Each case asks for one BI-RADS category (1-5); no "
        "quality rating, no accept / modify / reject, confidence off (switch it on if wanted). "
        "The 10 training cases are the cases imported as training; the template cannot create "
        "them. The questionnaire adds the number of mammograms read per year."
    ),
    settings=_settings(
        cases_per_participant=40,
        inaccurate_per_participant=12,
        response_mode="category",
        ask_rating=False,
        ask_decision=False,
        ask_confidence=False,
        confidence_display="none",
        training_feedback=True,
        stratify_by="years_experience",
        stratum_map={
            "0": "inexperienced",
            "5": "moderately_experienced",
            "10": "very_experienced",
            "20": "very_experienced",
        },
        questionnaire_items=_DRATSCH_QUESTIONNAIRE,
    ),
    arms=(
        TemplateArm(
            "ai",
            "ai",
            "MAMMO-AI",
            "MAMMO-AI is an artificial intelligence system that suggests a BI-RADS category.",
        ),
    ),
    diagnoses=BIRADS_CATEGORIES,
    consent_text=_consent(
        "You are invited to take part in a reader study on mammography. You will first read 10 "
        "training cases, each followed by the correct category and a short explanation, and "
        "then 40 test cases. Each case shows a mammogram and the BI-RADS category an AI system "
        "suggests; you choose the BI-RADS category you would report. It takes about 60 minutes."
    ),
    debrief_text=_debrief(
        "The study tested whether readers follow the suggestions of an AI system. The "
        "suggestions were prepared by the study team, and no AI system was involved.",
        "Some of the test-case suggestions were deliberately wrong. This let us measure how "
        "often a suggestion is followed when it is incorrect. It says nothing about your own "
        "skill: incorrect suggestions were chosen to be plausible.",
    ),
    notes=("Import 10 training cases (marked training, with feedback) and 40 or more test cases.",),
)

REVEAL = DesignTemplate(
    name="reveal",
    title="Read, then reveal: an unaided read before the advice",
    description=(
        "The read-then-reveal variant of the Gaube 2021 design (DESIGN.md section 1): each case "
        "is first read without advice (diagnosis and confidence), then the advice is revealed "
        "and the Gaube form is answered, so the change from the first to the final read is "
        "measured within each case. Arms, 8 cases with 2 inaccurate and strata as Gaube 2021."
    ),
    settings=_settings(read_then_reveal=True),
    arms=(AI_ARM, HUMAN_ARM),
    diagnoses=CHEST_XRAY_DIAGNOSES,
    consent_text=_consent(
        _CHEST_CONSENT + "For each case you first give your own diagnosis and confidence; then "
        "you see the advice, rate it, decide whether to accept, modify or reject it and give "
        "your final diagnosis and confidence. It takes about 20 minutes."
    ),
    debrief_text=_debrief(_SOURCE_LABEL, _WRONG),
    notes=("Import 8 or more cases, each with accurate and inaccurate advice.",),
)

TEMPLATES: MappingProxyType[str, DesignTemplate] = MappingProxyType(
    {t.name: t for t in (GAUBE2021, GAUBE2023, PRINSTER2024, DRATSCH2023, REVEAL)}
)
TEMPLATE_NAMES = tuple(TEMPLATES)


def template_get(name: str) -> DesignTemplate:
    """The template called ``name``; UnknownTemplate, listing the known names, otherwise."""
    try:
        return TEMPLATES[name]
    except (KeyError, TypeError):
        raise UnknownTemplate(
            f"unknown design template {name!r}: the templates are {', '.join(TEMPLATES)}"
        ) from None
