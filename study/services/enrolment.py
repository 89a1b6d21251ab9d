"""Open self-enrolment links, per-stratum quotas and the abandonment threshold (DESIGN.md
section 6): recruitment settings, outside the design hash."""

import secrets

from django.db import IntegrityError, transaction

from study.core.panels import PanelValues
from study.models import Participant, Study
from study.selectors import participant_by_external_id

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


ABANDON_AFTER_MAX_MINUTES = 365 * 24 * 60


@transaction.atomic
def abandon_threshold_set(*, study: Study, minutes: int, actor: Actor) -> Study:
    """How long without activity before a participant still taking part counts as abandoned
    (progress, the participants export's status). A recruitment setting, not part of the
    design: it may change after the lock, and each change is audited."""
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 1 <= minutes <= ABANDON_AFTER_MAX_MINUTES
    ):
        raise ValueError(
            "abandon threshold: must be a whole number of minutes from 1 to "
            f"{ABANDON_AFTER_MAX_MINUTES} (365 days), got {minutes!r}"
        )
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.abandon_after_minutes != minutes:
        before = study.abandon_after_minutes
        study.abandon_after_minutes = minutes
        study.save(update_fields=["abandon_after_minutes"])
        audit_record(
            action="abandon_threshold.set",
            study=study,
            actor=actor,
            detail={"minutes": minutes, "before": before},
        )
    return study


@transaction.atomic
def participant_self_enrol(*, study: Study, panel: PanelValues | None = None) -> Participant:
    """A visitor of the open link becomes an invited participant with their own resume link.

    With a panel's values (panels.panel_values_read) the participant keeps the panel's id as
    external_id and its session parameters; the same id again gets the participant it enrolled
    back, never a second one: also when two requests race, where the unique constraint on
    (study, external_id) refuses the later one and it returns the earlier one's participant."""
    study = Study.objects.get(pk=study.pk)
    if study.self_enrolment_token is None or study.status != Study.Status.RECRUITING:
        raise StudyStateError(f"Study '{study.slug}' is not open for self-enrolment.")
    if panel is not None:
        returning = participant_by_external_id(study=study, external_id=panel.external_id)
        if returning is not None:
            return returning
    try:
        # A savepoint: a refused duplicate undoes only this participant, and the lookup below
        # still runs in the (then committed) state the other request left.
        with transaction.atomic():
            (participant,) = invitations_create(study=study, count=1)
            if panel is not None:
                participant.external_id = panel.external_id
                participant.panel_params = dict(panel.params)
                participant.save(update_fields=["external_id", "panel_params"])
            audit_record(action="participant.self_enrol", study=study, participant=participant)
    except IntegrityError:
        if panel is None:
            raise
        return Participant.objects.select_related("study").get(
            study=study, external_id=panel.external_id
        )
    return participant
