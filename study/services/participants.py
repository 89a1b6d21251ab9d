"""Participant writes: invite, consent, enrol (allocation under a row lock), answer, finish."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from study.core import allocation, instruments, questions, vocabulary
from study.core.questionnaire import Item
from study.models import Advice, Participant, Response, StratumCounter, Study, Trial

from .audit import audit_record
from .studies import StudyStateError, study_design_spec, study_lock_design
from .withdrawals import participant_withdraw

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed by hand


class ParticipantStateError(Exception):
    """The participant is not at the step this operation belongs to."""


class ResponseInvalid(ValueError):
    """An answer that breaks the study's rules; the message names the field.

    ``field`` is the answer field at fault (None when none is), ``reason`` the message without
    the field's name, for a form to show next to the field.
    """

    def __init__(self, message: str, *, field: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.field = field
        self.reason = reason or message


@dataclass(frozen=True)
class Screening:
    specialty: str
    training_level: str
    years_experience: int
    prior_ai_use: str


def _new_completion_code() -> str:
    groups = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(2)]
    return "TL-" + "-".join(groups)


def _locked(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("study")
        .get(pk=participant.pk)
    )


def _require_recruiting(study: Study) -> None:
    if study.status != Study.Status.RECRUITING:
        raise StudyStateError(f"Study '{study.slug}' is not recruiting.")


@transaction.atomic
def participant_consent(
    *, participant: Participant, agreed: bool, language: str = ""
) -> Participant:
    """Consent or decline; ``language`` is the one the consent was given in (recorded as the
    participant's language, exported with their answers), "" to keep the one recorded."""
    participant = _locked(participant)
    if participant.status != Participant.Status.INVITED:
        return participant  # a second click on the consent page changes nothing
    _require_recruiting(participant.study)
    now = timezone.now()
    if agreed:
        participant.status = Participant.Status.CONSENTED
        participant.consented_at = now
    else:
        participant.status = Participant.Status.DECLINED
        participant.declined_at = now
    fields = ["status", "consented_at", "declined_at"]
    if language and language != participant.language:
        participant.language = language
        fields.append("language")
    participant.save(update_fields=fields)
    audit_record(
        action="participant.consent" if agreed else "participant.decline",
        study=participant.study,
        participant=participant,
    )
    return participant


def _screening_validate(screening: Screening, study: Study) -> None:
    """The answers are among the study's own screening options (instruments.screening_parse)."""
    options = instruments.screening_parse(study.screening)
    checks = [
        ("specialty", screening.specialty, options.specialties),
        ("training_level", screening.training_level, options.training_levels),
        ("prior_ai_use", screening.prior_ai_use, options.prior_ai_use),
    ]
    for field, value, choices in checks:
        if value not in {code for code, _ in choices}:
            reason = _("unknown code '%(code)s'") % {"code": value}
            raise ResponseInvalid(f"{field}: {reason}", field=field, reason=reason)
    if not 0 <= screening.years_experience <= 70:
        reason = _("must be between 0 and 70, got %(value)s") % {
            "value": screening.years_experience
        }
        raise ResponseInvalid(
            f"years_experience: {reason}", field="years_experience", reason=reason
        )


@transaction.atomic
def participant_enrol(*, participant: Participant, screening: Screening) -> Participant:
    """Record screening, take the next slot of the stratum and create the trials.

    The stratum counter row is locked (SELECT ... FOR UPDATE), so concurrent enrolments get
    distinct consecutive slots; the slot fixes arm, cases, advice variants and order.
    """
    participant = _locked(participant)
    if participant.slot is not None:
        return participant  # enrolment is idempotent: a resubmitted form changes nothing
    if participant.status != Participant.Status.CONSENTED:
        raise ParticipantStateError("Screening comes after consent.")
    study = participant.study
    _require_recruiting(study)
    _screening_validate(screening, study)
    participant.specialty = screening.specialty
    participant.training_level = screening.training_level
    participant.years_experience = screening.years_experience
    participant.prior_ai_use = screening.prior_ai_use
    stratum = vocabulary.stratum_for(
        stratify_by=study.stratify_by,
        stratum_map=study.stratum_map,
        specialty=screening.specialty,
        training_level=screening.training_level,
        years_experience=screening.years_experience,
    )
    if stratum is None:
        participant.status = Participant.Status.INELIGIBLE
        participant.save()
        audit_record(action="participant.ineligible", study=study, participant=participant)
        return participant

    counter = _counter_locked(study=study, stratum=stratum)
    quota = study.stratum_quotas.get(stratum)
    if quota is not None and counter.next_slot >= quota:
        # Checked under the counter's lock: concurrent enrolments cannot overshoot the quota.
        participant.stratum = stratum
        participant.status = Participant.Status.STRATUM_FULL
        participant.save()
        audit_record(action="participant.stratum_full", study=study, participant=participant)
        return participant
    slot = _abandoned_slot_reissue(study=study, stratum=stratum, taker=participant)
    if slot is None:
        slot = counter.next_slot
        counter.next_slot = slot + 1
        counter.save(update_fields=["next_slot"])

    assignment = allocation.slot_assignment(
        study_design_spec(study=study), stratum=stratum, slot=slot
    )
    arm = study.arms.get(code=assignment.arm)
    cases = {case.code: case for case in study.cases.prefetch_related("advice")}
    trials = []
    for plan in assignment.trials:
        case = cases[plan.case]
        variant = Advice.Variant.ACCURATE if plan.advice_correct else Advice.Variant.INACCURATE
        advice = next(a for a in case.advice.all() if a.variant == variant)
        trials.append(
            Trial(
                participant=participant,
                position=plan.position,
                case=case,
                advice=advice,
                is_training=plan.is_training,
                # Annotations are drawn only in local-explanation arms (a no-advice control
                # has explanation "none"); the confidence as the study's display rule says.
                annotation_shown=questions.annotation_drawn(
                    allocated=plan.annotation_shown,
                    explanation=arm.explanation,
                    has_annotation=advice.annotation is not None,
                ),
                confidence_shown=questions.confidence_shown(
                    display=study.confidence_display,
                    advice_source=arm.advice_source,
                    has_confidence=advice.displayed_confidence is not None,
                ),
                source_label=arm.label if arm.gives_advice else "",
            )
        )
    Trial.objects.bulk_create(trials)
    participant.stratum = stratum
    participant.slot = slot
    participant.arm = arm
    participant.status = Participant.Status.IN_PROGRESS
    participant.enrolled_at = timezone.now()
    # The first enrolment freezes the design as version 1; a participant runs under the design
    # version in force when they enrol (an amendment after it adds the next version).
    participant.design_version = study_lock_design(study=study)
    participant.save()
    audit_record(
        action="participant.enrol",
        study=study,
        participant=participant,
        detail={"stratum": stratum, "slot": slot},
    )
    return participant


def _abandoned_slot_reissue(*, study: Study, stratum: str, taker: Participant) -> int | None:
    """With the study's reissue option, free the lowest slot whose holder answered nothing in
    time and return it; the caller holds the stratum counter's lock. None: take a new slot."""
    if study.reissue_after_minutes is None:
        return None
    cutoff = timezone.now() - timedelta(minutes=study.reissue_after_minutes)
    candidates = (
        Participant.objects.select_for_update(of=("self",))
        .filter(
            study=study,
            stratum=stratum,
            slot__isnull=False,
            status=Participant.Status.IN_PROGRESS,
            enrolled_at__lt=cutoff,
        )
        .exclude(trials__response__isnull=False)
        .order_by("slot")
    )
    for holder in candidates:
        # Lock the trials, then look again: an answer stored meanwhile keeps the slot taken.
        trials = Trial.objects.select_for_update().filter(participant=holder)
        trial_ids = list(trials.values_list("pk", flat=True))
        if Response.objects.filter(trial_id__in=trial_ids).exists():
            continue
        slot = holder.slot
        Trial.objects.filter(pk__in=trial_ids).delete()
        holder.slot = None
        holder.status = Participant.Status.REISSUED
        holder.save(update_fields=["slot", "status"])
        audit_record(
            action="participant.slot_reissued",
            study=study,
            participant=holder,
            detail={"stratum": stratum, "slot": slot, "to": taker.public_id},
        )
        return slot
    return None


def _counter_locked(*, study: Study, stratum: str) -> StratumCounter:
    try:
        with transaction.atomic():
            StratumCounter.objects.get_or_create(study=study, stratum=stratum)
    except IntegrityError:
        pass  # another enrolment created it first; the locked read below sees it
    return StratumCounter.objects.select_for_update().get(study=study, stratum=stratum)


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _item_problem(item: Item, value: object) -> str | None:
    """Why ``value`` is not an answer to ``item`` (None: it is one); ``value`` is not empty."""
    codes = {code for code, _label in item.choices}
    if item.type in ("likert", "number"):
        low, high = item.scale or (1, 7)
        if not _whole(value) or not low <= value <= high:  # type: ignore[operator]
            return _("must be a whole number from %(low)s to %(high)s, got %(value)r") % {
                "low": low,
                "high": high,
                "value": value,
            }
    elif item.type == "choice":
        if value not in codes:
            return _("unknown choice %(value)r") % {"value": value}
    elif item.type == "multiple":
        if not isinstance(value, list | tuple) or not all(code in codes for code in value):
            return _("choices must be among %(codes)s, got %(value)r") % {
                "codes": ", ".join(sorted(codes)),
                "value": value,
            }
        if len(set(value)) != len(value):
            return _("a choice is given twice")
    elif not isinstance(value, str) or len(value) > item.max_length:
        return _("must be a text of at most %(maximum)s characters") % {"maximum": item.max_length}
    return None


# Any: the answers are the questionnaire's free-form JSON (texts, numbers, lists).
def _questionnaire_validate(answers: dict[str, Any], study: Study) -> None:
    """The answers fit the study's own items (instruments.questionnaire_parse): no unknown item,
    each answer given within its scale, choices or length."""
    items = {item.code: item for item in instruments.questionnaire_parse(study.questionnaire_items)}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        reason = _("not an item of this study's questionnaire")
        raise ResponseInvalid(f"{unknown[0]}: {reason}", field=unknown[0], reason=reason)
    for code, item in items.items():
        value = answers.get(code)
        if _empty(value):
            if item.required:
                reason = _("this question needs an answer")
                raise ResponseInvalid(f"{code}: {reason}", field=code, reason=reason)
            continue
        problem = _item_problem(item, value)
        if problem:
            raise ResponseInvalid(f"{code}: {problem}", field=code, reason=problem)


# Any: the answers are the questionnaire's free-form JSON (texts, numbers, flags).
@transaction.atomic
def questionnaire_record(*, participant: Participant, answers: dict[str, Any]) -> Participant:
    """Store the post-study answers once, after every trial, checked against the study's
    items."""
    participant = _locked(participant)
    if participant.questionnaire_at is not None:
        return participant
    if participant.status != Participant.Status.IN_PROGRESS:
        raise ParticipantStateError("The questionnaire follows the trials.")
    if participant.trials.filter(response__isnull=True).exists():
        raise ParticipantStateError("Some trials are still unanswered.")
    _questionnaire_validate(answers, participant.study)
    participant.questionnaire = answers
    participant.questionnaire_at = timezone.now()
    participant.save(update_fields=["questionnaire", "questionnaire_at"])
    return participant


@transaction.atomic
def participant_complete(*, participant: Participant, withdraw: bool) -> Participant:
    """After the debrief: finish (keep the data) or withdraw it. Both get a completion code."""
    participant = _locked(participant)
    if participant.status in (Participant.Status.COMPLETED, Participant.Status.WITHDRAWN):
        return participant
    if participant.questionnaire_at is None:
        raise ParticipantStateError("The debrief follows the questionnaire.")
    participant.completion_code = _new_completion_code()
    participant.completed_at = timezone.now()
    if withdraw:
        # The debrief's choice is a withdrawal like any other (step "debrief", by the
        # participant), with the completion code a finished session earns.
        participant.save(update_fields=["completion_code", "completed_at"])
        return participant_withdraw(participant=participant, by="participant")
    participant.status = Participant.Status.COMPLETED
    participant.save()
    audit_record(action="participant.complete", study=participant.study, participant=participant)
    return participant
