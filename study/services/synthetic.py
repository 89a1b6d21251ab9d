"""Simulated participants, driven through exactly the services the participant pages call.

What they answer is analysis.simulate's one generative model (SimulatedPhysician), trial by
trial.
"""

import numpy as np
from django.db import transaction

from analysis.simulate import GaubeEffects, SimulatedPhysician, case_effects_draw
from study.models import Study

from .invitations import invitations_create
from .participants import (
    Screening,
    participant_complete,
    participant_consent,
    participant_enrol,
    questionnaire_record,
)
from .responses import Answer, response_record, trial_show
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
    invited = invitations_create(study=study, count=participants)
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
    questionnaire_record(participant=participant, answers={"simulated": True})
    participant_complete(participant=participant, withdraw=False)
    return answered
