"""What the console and the API show of a study: its arms, diagnoses, cases, team and audit log."""

from datetime import datetime
from typing import TypedDict

from django.db.models import Max, QuerySet

from study.models import (
    Arm,
    Case,
    DesignVersion,
    DiagnosisOption,
    Study,
    StudyMembership,
)

RECENT_AUDIT_EVENTS = 20


class DesignRows(TypedDict):
    arms: list[Arm]
    diagnoses: list[DiagnosisOption]
    memberships: list[StudyMembership]


def study_cases(*, study: Study) -> QuerySet[Case]:
    return study.cases.all()


def cases_awaiting_review(*, study: Study) -> list[Case]:
    """The study's cases whose image may carry burned-in text, in library order."""
    return list(study.cases.filter(review_status=Case.Review.NEEDS_REVIEW))


def study_diagnoses(*, study: Study) -> list[tuple[str, str]]:
    """(code, label) of the study's diagnosis options in their configured order."""
    return list(study.diagnoses.values_list("code", "label"))


def study_design_rows(*, study: Study) -> DesignRows:
    """The rows of the builder's design page: arms, diagnosis options and the team."""
    return {
        "arms": list(study.arms.all()),
        "diagnoses": list(study.diagnoses.all()),
        "memberships": list(study.memberships.select_related("user").order_by("role", "user")),
    }


def studies_with_arms(*, studies: QuerySet[Study]) -> QuerySet[Study]:
    """The API's study rows: arms prefetched, by slug."""
    return studies.prefetch_related("arms").order_by("slug")


class DesignVersionRow(TypedDict):
    version: int
    sha256: str
    effective_at: datetime
    reason: str


def study_design_versions(*, study: Study) -> list[DesignVersionRow]:
    """Every design version of the study, oldest first, without its document: version 1 is
    the design at the first enrolment, each later one an amendment with its reason."""
    versions = DesignVersion.objects.filter(study=study).defer("document").order_by("version")
    return [
        {
            "version": version.version,
            "sha256": version.sha256,
            "effective_at": version.effective_at,
            "reason": version.reason,
        }
        for version in versions
    ]


def study_design_version(*, study: Study) -> int | None:
    """The study's current design version (what an enrolment now runs under); None in a draft."""
    return DesignVersion.objects.filter(study=study).aggregate(latest=Max("version"))["latest"]
