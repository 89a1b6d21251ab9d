"""What the console and the API show of a study: its arms, diagnoses, cases, team and audit log."""

from typing import TypedDict

from django.db.models import QuerySet

from study.models import Arm, AuditEvent, Case, DiagnosisOption, Study, StudyMembership

RECENT_AUDIT_EVENTS = 20


class DesignRows(TypedDict):
    arms: list[Arm]
    diagnoses: list[DiagnosisOption]
    memberships: list[StudyMembership]


def study_cases(*, study: Study) -> QuerySet[Case]:
    return study.cases.all()


def study_diagnoses(*, study: Study) -> list[tuple[str, str]]:
    """(code, label) of the study's diagnosis options in their configured order."""
    return list(study.diagnoses.values_list("code", "label"))


def study_audit_events(*, study: Study, limit: int) -> list[AuditEvent]:
    """The newest ``limit`` audit events of the study, newest first, with their actors."""
    return list(study.audit_events.select_related("actor")[:limit])


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
