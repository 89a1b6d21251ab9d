"""Demo content for the reference designs (texts, arms, diagnoses, cases) and the builder that
creates a demo study from it through the services."""

from .build import DEMO_SEED, DEMO_SLUG, demo_study_create, demo_study_ensure
from .content import ARMS, CASES, CONSENT_TEXT, DEBRIEF_TEXT, DIAGNOSES, DemoCase

__all__ = [
    "ARMS",
    "CASES",
    "CONSENT_TEXT",
    "DEBRIEF_TEXT",
    "DEMO_SEED",
    "DEMO_SLUG",
    "DIAGNOSES",
    "DemoCase",
    "demo_study_create",
    "demo_study_ensure",
]
