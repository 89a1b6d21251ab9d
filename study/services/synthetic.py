"""Simulated participants, driven through exactly the services the participant pages call.

What they answer is analysis.simulate's one generative model (SimulatedPhysician), trial by
trial, put to the questions the study's design asks (its response mode, switched-on questions,
no-advice control arms, screening options and questionnaire items). They are flagged
synthetic, allowed only in a demo study or one in pilot mode (so they never mix with real data
unnoticed), left out of exports unless asked for, and purged by ``synthetic_purge``.
"""

from dataclasses import dataclass

import numpy as np
from django.db import transaction

from analysis.simulate import (
    GaubeEffects,
    RandomIntercepts,
    SimulatedAnswer,
    SimulatedPhysician,
    case_effects_draw,
)
from study.core import instruments
from study.core.questionnaire import Item
from study.core.questions import QuestionPlan
from study.models import Participant, Response, Study, Trial
from study.selectors.participants import study_question_plan

from .audit import Actor, audit_record
from .invitations import invitations_create
from .participants import (
    Screening,
    participant_complete,
    participant_consent,
    participant_enrol,
    questionnaire_record,
)
from .responses import (
    Answer,
    response_record,
    trial_feedback_seen,
    trial_show,
    trial_unaided_record,
)
from .studies import StudyStateError


def synthetic_allowed_check(*, study: Study) -> None:
    """Simulated participants only in a demo study or one in pilot mode: never unnoticed beside
    real ones (the simulate command's rule, and the bots')."""
    if not (study.is_demo or study.pilot_mode):
        raise StudyStateError(
            f"Study '{study.slug}' is neither a demo nor in pilot mode: simulated participants "
            "would sit beside real ones. Turn pilot mode on first "
            f"(python manage.py pilot_mode --study {study.slug} --on)."
        )


def screening_pools(*, study: Study) -> dict[str, list[str]]:
    """The study's own screening codes a simulated participant may give (instruments), only the
    ones its stratum map includes for the basis it stratifies by."""
    options = instruments.screening_parse(study.screening)
    pools = {
        "specialty": [code for code, _label in options.specialties],
        "training_level": [code for code, _label in options.training_levels],
        "prior_ai_use": [code for code, _label in options.prior_ai_use],
    }
    basis = study.stratify_by
    if basis in ("specialty", "training_level"):
        included = [code for code in pools[basis] if code in study.stratum_map]
        pools[basis] = included or pools[basis]
    return pools


def specialties_draw(
    *, pools: dict[str, list[str]], participants: int, share: float, rng: np.random.Generator
) -> list[str]:
    """Radiologists with the given share when the study has them, the rest from its other
    specialties; shuffled."""
    codes = pools["specialty"]
    others = [code for code in codes if code != "radiology"]
    n_radiology = round(participants * share) if "radiology" in codes and others else 0
    if "radiology" in codes and not others:
        n_radiology = participants
    specialties = ["radiology"] * n_radiology + [
        str(rng.choice(others or codes)) for _ in range(participants - n_radiology)
    ]
    rng.shuffle(specialties)
    return specialties


def diagnosis_codes(*, study: Study) -> list[str]:
    """The diagnoses a simulated physician may name: the study's list, in its order."""
    return list(study.diagnoses.values_list("code", flat=True))


def cases_effects_draw(
    *, study: Study, effects: GaubeEffects, rng: np.random.Generator
) -> dict[str, RandomIntercepts]:
    """Each case's random intercepts (by case code), drawn once for all simulated physicians."""
    return {
        code: case_effects_draw(effects=effects, rng=rng)
        for code in study.cases.order_by("code").values_list("code", flat=True)
    }


def study_simulate(
    *,
    study: Study,
    participants: int,
    rng: np.random.Generator,
    radiology_share: float = 138 / 265,
    effects: GaubeEffects | None = None,
) -> dict[str, int]:
    """Simulated participants complete the study as designed: its screening options, its
    response mode and switched-on questions (the trial's question plan), its questionnaire."""
    if study.status != Study.Status.RECRUITING:
        raise StudyStateError(f"Study '{study.slug}' is not recruiting; open it first.")
    synthetic_allowed_check(study=study)
    effects = effects or GaubeEffects()
    pools = screening_pools(study=study)
    specialties = specialties_draw(
        pools=pools, participants=participants, share=radiology_share, rng=rng
    )
    n_radiology = specialties.count("radiology")
    diagnoses = diagnosis_codes(study=study)
    cases = cases_effects_draw(study=study, effects=effects, rng=rng)
    answered = 0
    invited = invitations_create(study=study, count=participants, synthetic=True)
    for participant, specialty in zip(invited, specialties, strict=True):
        answered += _participant_simulate(
            participant=participant,
            screening=screening_draw(pools=pools, specialty=specialty, rng=rng),
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


def screening_draw(
    *, pools: dict[str, list[str]], specialty: str, rng: np.random.Generator
) -> Screening:
    """A simulated participant's answers to the screening questions, from the study's options."""
    return Screening(
        specialty=specialty,
        training_level=str(rng.choice(pools["training_level"])),
        years_experience=int(rng.integers(1, 35)),
        prior_ai_use=str(rng.choice(pools["prior_ai_use"])),
    )


def _unaided_read(trial: Trial, diagnoses: list[str], rng: np.random.Generator) -> str:
    """A read without advice: the reference, or another diagnosis, as a reader might."""
    reference = trial.case.reference_diagnosis
    others = [code for code in diagnoses if code != reference]
    return reference if rng.random() < 0.7 or not others else str(rng.choice(others))


def _answer(plan: QuestionPlan, simulated: SimulatedAnswer | None, unaided: str, confidence: int):
    """The simulated physician's answer to the questions the trial asks (its question plan):
    agreeing is following the advice; a control trial's diagnosis is the unaided read."""
    if simulated is None:  # a no-advice control trial: only the diagnosis and the confidence
        return Answer(
            final_diagnosis=unaided if plan.diagnosis else "",
            confidence=confidence if plan.confidence else None,
        )
    return Answer(
        advice_rating=simulated.advice_rating if plan.rating else None,
        decision=simulated.decision if plan.decision else "",
        final_diagnosis=simulated.final_diagnosis if plan.diagnosis else "",
        confidence=simulated.confidence if plan.confidence else None,
        agreed=simulated.decision != "reject" if plan.agree else None,
    )


@dataclass(frozen=True)
class UnaidedRead:
    """Read-then-reveal's first answer, before the advice is shown."""

    diagnosis: str
    confidence: int


@dataclass(frozen=True)
class TrialRead:
    """What a simulated physician answers at one trial: the unaided read when the study asks
    for one first, then the answer to the trial's questions."""

    unaided: UnaidedRead | None
    answer: Answer


def trial_read_draw(
    *,
    study: Study,
    plan: QuestionPlan,
    trial: Trial,
    physician: SimulatedPhysician,
    case: RandomIntercepts,
    advice_source: str,
    diagnoses: list[str],
    rng: np.random.Generator,
) -> TrialRead:
    """The one place that turns the generative model's answer into the trial's questions (the
    simulate command and the bots both call it): the unaided read of a read-then-reveal study,
    then the physician's answer to what the plan asks."""
    unaided = None
    if study.read_then_reveal and plan.advice:
        unaided = UnaidedRead(
            diagnosis=_unaided_read(trial, diagnoses, rng),
            confidence=int(rng.integers(1, study.confidence_scale_max + 1)),
        )
    simulated = None
    if plan.advice:
        simulated = physician.answer(
            case=case,
            advice_source=advice_source,
            advice_correct=trial.advice.is_accurate,
            advised_diagnosis=trial.advice.diagnosis,
            reference_diagnosis=trial.case.reference_diagnosis,
            diagnoses=diagnoses,
            rating_max=study.rating_scale_max,
            confidence_max=study.confidence_scale_max,
        )
    answer = _answer(
        plan,
        simulated,
        unaided=_unaided_read(trial, diagnoses, rng),
        confidence=int(rng.integers(1, study.confidence_scale_max + 1)),
    )
    return TrialRead(unaided=unaided, answer=answer)


@transaction.atomic  # one commit per simulated participant: SQLite pays an fsync per commit
def _participant_simulate(*, participant, screening, effects, cases, diagnoses, rng) -> int:
    study = participant.study
    answered = 0
    participant = participant_consent(participant=participant, agreed=True)
    participant = participant_enrol(participant=participant, screening=screening)
    if participant.status != Participant.Status.IN_PROGRESS:
        return 0  # not eligible, or the stratum is full
    physician = SimulatedPhysician(stratum=participant.stratum, effects=effects, rng=rng)
    arm = participant.arm
    plan = study_question_plan(study=study, arm=arm)
    for trial in participant.trials.select_related("case", "advice").order_by("position"):
        trial = trial_show(trial=trial)
        read = trial_read_draw(
            study=study,
            plan=plan,
            trial=trial,
            physician=physician,
            case=cases[trial.case.code],
            advice_source=arm.advice_source,
            diagnoses=diagnoses,
            rng=rng,
        )
        if read.unaided is not None:
            trial = trial_unaided_record(
                trial=trial, diagnosis=read.unaided.diagnosis, confidence=read.unaided.confidence
            )
        response_record(trial=trial, answer=read.answer)
        if study.training_feedback and trial.is_training:
            trial_feedback_seen(trial=trial)
        answered += 1
    items = instruments.questionnaire_parse(study.questionnaire_items)
    questionnaire_record(participant=participant, answers=questionnaire_draw(items=items, rng=rng))
    participant_complete(participant=participant, withdraw=False)
    return answered


def questionnaire_draw(*, items: tuple[Item, ...], rng: np.random.Generator) -> dict[str, object]:
    """Answers to the study's own items: a point of each scale, one choice, some of a multiple
    choice (joined by ';' in the export), a short text where one is required."""
    answers: dict[str, object] = {}
    for item in items:
        codes = [code for code, _label in item.choices]
        if item.scale is not None:
            answers[item.code] = int(rng.integers(item.scale[0], item.scale[1] + 1))
        elif item.type == "choice":
            answers[item.code] = str(rng.choice(codes))
        elif item.type == "multiple":
            chosen = [code for code in codes if rng.random() < 0.5] or codes[:1]
            answers[item.code] = chosen
        else:
            answers[item.code] = "simulated answer" if item.required else ""
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
