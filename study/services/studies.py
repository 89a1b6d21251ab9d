"""Study life-cycle writes: the design spec handed to the allocation engine, opening, closing."""

from typing import Any

from django.db import transaction

from study.core import allocation, vocabulary
from study.models import StratumCounter, Study

from . import design_checks, design_versions
from .audit import Actor, audit_record


class StudyStateError(Exception):
    """An operation is not allowed in the study's current state."""


def study_design_spec(*, study: Study) -> allocation.DesignSpec:
    """The allocation engine's view of a study's design (pure data, no Django)."""
    arms = tuple(
        allocation.ArmSpec(code=arm.code, weight=arm.weight) for arm in study.arms.order_by("code")
    )
    cases = study.cases.order_by("position", "code")
    return allocation.DesignSpec(
        seed=study.seed,
        arms=arms,
        cases=tuple(c.code for c in cases if not c.is_training),
        training_cases=tuple(c.code for c in cases if c.is_training),
        cases_per_participant=study.cases_per_participant,
        inaccurate_per_participant=study.inaccurate_per_participant,
        annotated_per_participant=study.annotated_per_participant,
        order=study.order_policy,
        block_multiplier=study.block_multiplier,
    )


def study_strata(*, study: Study) -> list[str]:
    return vocabulary.strata_of(study.stratum_map)


@transaction.atomic
def study_open(*, study: Study, actor: Actor = None) -> Study:
    """Start recruiting: the design must be feasible and every case ready for participants."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.status == Study.Status.RECRUITING:
        return study
    if study.status == Study.Status.CLOSED:
        raise StudyStateError(f"Study '{study.slug}' is closed and cannot be reopened.")
    allocation.design_validate(study_design_spec(study=study))
    design_checks.open_checks(study=study)
    pending = list(study.cases.filter(review_status="needs_review").values_list("code", flat=True))
    if pending:
        raise StudyStateError(
            "These cases still need a review for burned-in annotations: " + ", ".join(pending)
        )
    if study.annotated_per_participant:
        missing = list(
            study.cases.filter(is_training=False, advice__annotation__isnull=True)
            .values_list("code", flat=True)
            .distinct()
        )
        if missing:
            raise StudyStateError(
                "The design shows annotations, but these cases have advice without one: "
                + ", ".join(sorted(missing))
            )
    if not study.stratum_map:
        raise StudyStateError("The study has no specialty-to-stratum map; nobody could enrol.")
    for stratum in study_strata(study=study):
        StratumCounter.objects.get_or_create(study=study, stratum=stratum)
    study.status = Study.Status.RECRUITING
    study.save(update_fields=["status"])
    audit_record(action="study.open", study=study, actor=actor)
    return study


@transaction.atomic
def study_close(*, study: Study, actor: Actor = None) -> Study:
    study = Study.objects.select_for_update().get(pk=study.pk)
    study.status = Study.Status.CLOSED
    study.save(update_fields=["status"])
    audit_record(action="study.close", study=study, actor=actor)
    return study


# Any: a JSON document of mixed values (numbers, flags, texts, nested lists and maps).
def study_design_document(*, study: Study) -> dict[str, Any]:
    """The canonical design document (services.design_versions: what the design hash covers)."""
    return design_versions.design_document(study=study)


def study_design_hash(*, study: Study) -> str:
    """The live hash of the design as it is now (while a draft it changes with the design)."""
    return design_versions.design_hash_live(study=study)


def study_lock_design(*, study: Study) -> int:
    """Freeze the design at the first enrolment as version 1 (the hash a pre-registration
    cites); returns the design version in force, which the enrolling participant runs under."""
    return design_versions.design_lock(study=study)
