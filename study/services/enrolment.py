"""Open self-enrolment links and per-stratum quotas (DESIGN.md section 6)."""

import secrets

from django.db import transaction

from study.models import Participant, Study

from .audit import Actor, audit_record
from .invitations import invitations_create
from .studies import StudyStateError, study_strata


@transaction.atomic
def self_enrolment_enable(*, study: Study, actor: Actor = None) -> Study:
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.self_enrolment_token is None:
        study.self_enrolment_token = secrets.token_urlsafe(16)
        study.save(update_fields=["self_enrolment_token"])
        audit_record(action="self_enrolment.enable", study=study, actor=actor)
    return study


@transaction.atomic
def self_enrolment_disable(*, study: Study, actor: Actor = None) -> Study:
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.self_enrolment_token is not None:
        study.self_enrolment_token = None
        study.save(update_fields=["self_enrolment_token"])
        audit_record(action="self_enrolment.disable", study=study, actor=actor)
    return study


@transaction.atomic
def stratum_quotas_set(
    *, study: Study, quotas: dict[str, int | None], actor: Actor = None
) -> Study:
    """Set the maximum enrolments per stratum; None or a missing stratum means no limit."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    strata = set(study_strata(study=study))
    cleaned: dict[str, int] = {}
    for stratum, quota in quotas.items():
        if stratum not in strata:
            raise ValueError(f"quota for '{stratum}': not a stratum of this study")
        if quota is None:
            continue
        if isinstance(quota, bool) or not isinstance(quota, int) or quota < 0:
            raise ValueError(f"quota for '{stratum}': must be a whole number >= 0, got {quota!r}")
        cleaned[stratum] = quota
    if cleaned != study.stratum_quotas:
        study.stratum_quotas = cleaned
        study.save(update_fields=["stratum_quotas"])
        audit_record(action="quotas.set", study=study, actor=actor, detail={"quotas": cleaned})
    return study


@transaction.atomic
def participant_self_enrol(*, study: Study) -> Participant:
    """A visitor of the open link becomes an invited participant with their own resume link."""
    study = Study.objects.get(pk=study.pk)
    if study.self_enrolment_token is None or study.status != Study.Status.RECRUITING:
        raise StudyStateError(f"Study '{study.slug}' is not open for self-enrolment.")
    (participant,) = invitations_create(study=study, count=1)
    audit_record(action="participant.self_enrol", study=study, participant=participant)
    return participant
