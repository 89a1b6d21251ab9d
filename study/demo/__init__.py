"""Demo content for the reference designs (texts, arms, diagnoses, cases) and the builder that
creates a demo study of each design template from it through the services."""

from .build import (
    DEMO_DESIGNS,
    DEMO_SEED,
    DEMO_SLUG,
    UnknownDemo,
    demo_design,
    demo_study_create,
    demo_study_ensure,
)
from .content import ARMS, CASES, CONSENT_TEXT, DEBRIEF_TEXT, DIAGNOSES, DemoCase
from .designs import DEMOS

__all__ = [
    "ARMS",
    "CASES",
    "CONSENT_TEXT",
    "DEBRIEF_TEXT",
    "DEMOS",
    "DEMO_DESIGNS",
    "DEMO_SEED",
    "DEMO_SLUG",
    "DIAGNOSES",
    "DemoCase",
    "UnknownDemo",
    "demo_design",
    "demo_study_create",
    "demo_study_ensure",
]
