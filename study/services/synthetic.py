"""Simulated participants, driven through exactly the services the participant pages call.

What they answer is analysis.simulate's one generative model (SimulatedPhysician), trial by
trial. They are flagged synthetic, allowed only in a demo study or one in pilot mode (so they
never mix with real data unnoticed), left out of exports unless asked for, and purged by
``synthetic_purge``.
"""

import numpy as np
from django.db import transaction

from analysis.simulate import GaubeEffects, SimulatedPhysician, case_effects_draw
from study.core import questionnaire
from study.models import Participant, Response, Study, Trial

from .audit import Actor, audit_record
from .invitations import invitations_create
from .participants import (
    Screening,
    participant_complete,
    participant_consent,
    participant_enrol,
    questionnaire_record,
)
from .responses import Answer, response_record, trial_show, trial_unaided_record
from .studies import StudyStateError

_NON_RADIOLOGY = ("internal_medicine", "emergency_medicine")


def study_simulate(
    *,
    study: Study,
    participants: int,
    rng: np.random.Generator,
    radiology_share: float = 138 / 265,
    effects: GaubeEffects | None = None,
) -> dict[str, int]:
    if study.status != Study.Status.RECRUITING:
        raise StudyStateError(f"Study '{study.slug}' is not recruiting; open it first.")
    if not (study.is_demo or study.pilot_mode):
        raise StudyStateError(
            f"Study '{study.slug}' is neither a demo nor in pilot mode: simulated participants "
            "would sit beside real ones. Turn pilot mode on first "
            f"(python manage.py pilot_mode --study {study.slug} --on)."
        )
    effects = effects or GaubeEffects()
    n_radiology = round(participants * radiology_share)
    specialties = ["radiology"] * n_radiology + [
        str(rng.choice(_NON_RADIOLOGY)) for _ in range(participants - n_radiology)
    ]
    rng.shuffle(specialties)
    diagnoses = list(study.diagnoses.values_list("code", flat=True))
    cases = {
        code: case_effects_draw(effects=effects, rng=rng)
        for code in study.cases.order_by("code").values_list("code", flat=True)
    }
    answered = 0
    invited = invitations_create(study=study, count=participants, synthetic=True)
    for participant, specialty in zip(invited, specialties, strict=True):
        answered += _participant_simulate(
            participant=participant,
            specialty=specialty,
            effects=effects,
            cases=cases,
            diagnoses=diagnoses,
            rng=rng,
        )
    return {
        "participants": participants,
        "radiology": n_radiology,
        "non_radiology": participants - n_radiology,
        "trials": answered,
    }


@transaction.atomic  # one commit per simulated participant: SQLite pays an fsync per commit
def _participant_simulate(*, participant, specialty, effects, cases, diagnoses, rng) -> int:
    study = participant.study
    answered = 0
    participant = participant_consent(participant=participant, agreed=True)
    participant = participant_enrol(
        participant=participant,
        screening=Screening(
            specialty=specialty,
            training_level=str(rng.choice(["attending", "fellow", "resident"])),
            years_experience=int(rng.integers(1, 35)),
            prior_ai_use=str(rng.choice(["never", "occasionally", "regularly"])),
        ),
    )
    physician = SimulatedPhysician(stratum=participant.stratum, effects=effects, rng=rng)
    source = participant.arm.advice_source
    for trial in participant.trials.select_related("case", "advice").order_by("position"):
        trial = trial_show(trial=trial)
        if study.read_then_reveal:
            # The unaided read first: the reference, or another diagnosis, as a reader might.
            unaided = (
                trial.case.reference_diagnosis
                if rng.random() < 0.7 or len(diagnoses) < 2
                else str(rng.choice([d for d in diagnoses if d != trial.case.reference_diagnosis]))
            )
            trial = trial_unaided_record(
                trial=trial,
                diagnosis=unaided,
                confidence=int(rng.integers(1, study.confidence_scale_max + 1)),
            )
        simulated = physician.answer(
            case=cases[trial.case.code],
            advice_source=source,
            advice_correct=trial.advice.is_accurate,
            advised_diagnosis=trial.advice.diagnosis,
            reference_diagnosis=trial.case.reference_diagnosis,
            diagnoses=diagnoses,
            rating_max=study.rating_scale_max,
            confidence_max=study.confidence_scale_max,
        )
        response_record(
            trial=trial,
            answer=Answer(
                advice_rating=simulated.advice_rating,
                decision=simulated.decision,
                final_diagnosis=simulated.final_diagnosis,
                confidence=simulated.confidence,
            ),
        )
        answered += 1
    questionnaire_record(participant=participant, answers=_questionnaire_draw(rng))
    participant_complete(participant=participant, withdraw=False)
    return answered


def _questionnaire_draw(rng: np.random.Generator) -> dict[str, object]:
    answers: dict[str, object] = {}
    for item in questionnaire.ITEMS:
        if item.scale is not None:
            answers[item.code] = int(rng.integers(item.scale[0], item.scale[1] + 1))
        elif item.choices:
            answers[item.code] = str(rng.choice([code for code, _label in item.choices]))
        else:
            answers[item.code] = ""
    return answers


@transaction.atomic
def study_pilot_mode_set(*, study: Study, enabled: bool, actor: Actor = None) -> Study:
    """Pilot mode allows simulated participants in a study that is not the demo."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.pilot_mode != enabled:
        study.pilot_mode = enabled
        study.save(update_fields=["pilot_mode"])
        audit_record(
            action="study.pilot_mode", study=study, actor=actor, detail={"enabled": enabled}
        )
    return study


@transaction.atomic
def synthetic_purge(*, study: Study, actor: Actor = None) -> dict[str, int]:
    """Delete every simulated participant of the study with their trials and answers; real
    participants are untouched. Their allocation slots stay used (slots are never re-dealt)."""
    participants = Participant.objects.filter(study=study, synthetic=True)
    responses, _ = Response.objects.filter(trial__participant__in=participants).delete()
    trials, _ = Trial.objects.filter(participant__in=participants).delete()
    count, _ = participants.delete()
    summary = {"participants": count, "trials": trials, "responses": responses}
    audit_record(action="synthetic.purged", study=study, actor=actor, detail=summary)
    return summary
