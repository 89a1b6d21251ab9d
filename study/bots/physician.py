"""What a bot answers: the simulated physician of ``manage.py simulate`` (services.synthetic:
the same screening draw, trial_read_draw over analysis.simulate's model, questionnaire draw),
put into the names of the page's form fields.

Rule: the answers are the simulate command's, never a second model; only the way they reach
the server differs (a form posted over HTTP instead of a service call).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from analysis.simulate import GaubeEffects, RandomIntercepts, SimulatedPhysician
from study import selectors
from study.core import instruments
from study.core.questionnaire import Item
from study.core.questions import QuestionPlan
from study.models import Arm, Participant, Study
from study.selectors.participants import study_question_plan
from study.services.responses import CLIENT_COUNTS, CLIENT_TIMINGS
from study.services.synthetic import (
    TrialRead,
    cases_effects_draw,
    diagnosis_codes,
    questionnaire_draw,
    screening_draw,
    screening_pools,
    specialties_draw,
    trial_read_draw,
)


@dataclass(frozen=True)
class BotsSetup:
    """What every bot of one run shares, read once before the bots start."""

    study: Study
    effects: GaubeEffects
    cases: dict[str, RandomIntercepts]
    diagnoses: list[str]
    pools: dict[str, list[str]]
    items: tuple[Item, ...]


def bots_setup(
    *, study: Study, participants: int, seed: int, radiology_share: float
) -> tuple[BotsSetup, list[BotPhysician]]:
    """The run's shared draws (each case's intercepts, the specialties in the simulate
    command's split) and one physician per bot with a generator of its own (spawned from the
    seed: a bot answers the same whichever thread runs it, and whenever)."""
    rng = np.random.default_rng(seed)
    effects = GaubeEffects()
    pools = screening_pools(study=study)
    specialties = specialties_draw(
        pools=pools, participants=participants, share=radiology_share, rng=rng
    )
    setup = BotsSetup(
        study=study,
        effects=effects,
        cases=cases_effects_draw(study=study, effects=effects, rng=rng),
        diagnoses=diagnosis_codes(study=study),
        pools=pools,
        items=instruments.questionnaire_parse(study.questionnaire_items),
    )
    physicians = [
        BotPhysician(setup=setup, specialty=specialty, rng=child)
        for specialty, child in zip(specialties, rng.spawn(participants), strict=True)
    ]
    return setup, physicians


class BotPhysician:
    """One bot's answers, page by page. Its stratum and arm are the participant's as enrolled
    (read after the screening page), its reads per case drawn once (a reloaded page gets the
    same answer)."""

    def __init__(self, *, setup: BotsSetup, specialty: str, rng: np.random.Generator) -> None:
        self.setup = setup
        self.specialty = specialty
        self.rng = rng
        self._participant: Participant | None = None
        self._arm: Arm | None = None
        self._plan: QuestionPlan | None = None
        self._physician: SimulatedPhysician | None = None
        self._reads: dict[int, TrialRead] = {}

    def consent(self) -> dict[str, object]:
        return {"agree": "yes"}

    def screening(self) -> dict[str, object]:
        screening = screening_draw(pools=self.setup.pools, specialty=self.specialty, rng=self.rng)
        return {
            "specialty": screening.specialty,
            "training_level": screening.training_level,
            "years_experience": screening.years_experience,
            "prior_ai_use": screening.prior_ai_use,
        }

    def trial_read(self, *, token: str, position: int) -> TrialRead:
        if position not in self._reads:
            self._reads[position] = self._read(token, position)
        return self._reads[position]

    def _read(self, token: str, position: int) -> TrialRead:
        if self._participant is None:
            participant = selectors.participant_by_token(token=token)
            if participant is None or participant.arm is None:
                raise LookupError("the case page is served to a participant without an arm")
            self._participant, self._arm = participant, participant.arm
            self._plan = study_question_plan(study=self.setup.study, arm=participant.arm)
            self._physician = SimulatedPhysician(
                stratum=participant.stratum, effects=self.setup.effects, rng=self.rng
            )
        trial = selectors.participant_trial_at(participant=self._participant, position=position)
        if trial is None or self._plan is None or self._physician is None or self._arm is None:
            raise LookupError(f"the participant has no case {position}")
        return trial_read_draw(
            study=self.setup.study,
            plan=self._plan,
            trial=trial,
            physician=self._physician,
            case=self.setup.cases[trial.case.code],
            advice_source=self._arm.advice_source,
            diagnoses=self.setup.diagnoses,
            rng=self.rng,
        )

    def questionnaire(self) -> dict[str, object]:
        return questionnaire_draw(items=self.setup.items, rng=self.rng)

    def debrief(self) -> dict[str, object]:
        return {"choice": "keep"}


def unaided_fields(read: TrialRead) -> dict[str, object]:
    if read.unaided is None:
        return {}
    return {
        "unaided_diagnosis": read.unaided.diagnosis,
        "unaided_confidence": read.unaided.confidence,
    }


def answer_fields(read: TrialRead) -> tuple[dict[str, object], tuple[str, str] | None]:
    """The answer's form fields, and in agree/disagree mode the button the bot clicks."""
    answer = read.answer
    fields: dict[str, object] = {
        "advice_rating": answer.advice_rating,
        "decision": answer.decision,
        "final_diagnosis": answer.final_diagnosis,
        "confidence": answer.confidence,
    }
    click = None if answer.agreed is None else ("agreed", "yes" if answer.agreed else "no")
    return {name: value for name, value in fields.items() if value not in (None, "")}, click


def client_measurements(*, names: set[str], shown_at: float) -> dict[str, object]:
    """What the page's script would have measured: the time since the page arrived (at most
    the server's own, which started before it was sent) and no viewer actions."""
    elapsed = str(int((time.monotonic() - shown_at) * 1000))
    measured: dict[str, object] = {name: elapsed for name in CLIENT_TIMINGS if name in names}
    measured.update({name: "0" for name in CLIENT_COUNTS if name in names})
    return measured
