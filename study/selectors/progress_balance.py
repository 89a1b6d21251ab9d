"""Balance against the allocation's promise: the engine (study.core.allocation) is re-run for
the slots taken and compared with the trials stored at enrolment. Per stratum x arm: how many
slots the permuted blocks gave each arm; per participant: exactly the design's number of
inaccurate and annotated test cases; per case: how often it was shown, inaccurate and annotated.
Any difference is a deviation (a bug, a hand edit, a design amended after enrolment)."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from study.core import allocation, questions
from study.models import Participant, Study, Trial

# Participants named on the page when their counts break the promise (the rest are counted).
DEVIATING_SHOWN = 20


@dataclass(frozen=True)
class ArmStratumBalance:
    stratum: str
    arm: str
    enrolled: int
    promised: int  # slots of this stratum the permuted blocks gave this arm

    @property
    def deviates(self) -> bool:
        return self.enrolled != self.promised


@dataclass(frozen=True)
class ParticipantCountsRow:
    """Participants whose test trials have this many inaccurate and annotated advices, and
    what their slots promised (the annotated ones differ by arm: only local explanations draw)."""

    inaccurate: int
    annotated: int
    inaccurate_promised: int
    annotated_promised: int
    participants: int

    @property
    def deviates(self) -> bool:
        return (self.inaccurate, self.annotated) != (
            self.inaccurate_promised,
            self.annotated_promised,
        )


@dataclass(frozen=True)
class CaseBalance:
    case: str
    shown: int
    shown_promised: int
    inaccurate: int
    inaccurate_promised: int
    annotated: int
    annotated_promised: int

    @property
    def accurate(self) -> int:
        return self.shown - self.inaccurate

    @property
    def accurate_promised(self) -> int:
        return self.shown_promised - self.inaccurate_promised

    @property
    def deviates(self) -> bool:
        return (self.shown, self.inaccurate, self.annotated) != (
            self.shown_promised,
            self.inaccurate_promised,
            self.annotated_promised,
        )


@dataclass(frozen=True)
class WithinBalance:
    inaccurate_promised: int  # per participant
    annotated_promised: int
    arm_strata: list[ArmStratumBalance]
    participant_counts: list[ParticipantCountsRow]
    deviating_participants: list[str]  # public ids, at most DEVIATING_SHOWN
    deviating_participant_count: int
    cases: list[CaseBalance]
    problem: str  # why the promise could not be computed (the design cannot be allocated)

    @property
    def deviations(self) -> int:
        return (
            self.deviating_participant_count
            + sum(row.deviates for row in self.arm_strata)
            + sum(row.deviates for row in self.cases)
        )


def _test_trial_count(q: Q) -> Coalesce:
    rows = (
        Trial.objects.filter(q, participant=OuterRef("pk"), is_training=False)
        .order_by()
        .values("participant")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@dataclass
class _Promise:
    arms: Counter[tuple[str, str]]
    shown: Counter[str]
    inaccurate: Counter[str]
    annotated: Counter[str]
    per_slot: dict[tuple[str, int], tuple[int, int]]  # (inaccurate, annotated) per slot


def _promise(study: Study, spec: allocation.DesignSpec, slots: set[tuple[str, int]]) -> _Promise:
    """What the engine gives the taken slots, one allocation table per stratum up to its highest
    slot taken, with enrolment's rule for drawing an annotation (study.core.questions)."""
    explanation = dict(study.arms.values_list("code", "explanation"))
    has_annotation = set(
        study.cases.filter(advice__annotation__isnull=False).values_list("code", "advice__variant")
    )
    promise = _Promise(Counter(), Counter(), Counter(), Counter(), {})
    by_stratum: dict[str, set[int]] = {}
    for stratum, slot in slots:
        by_stratum.setdefault(stratum, set()).add(slot)
    for stratum, taken in sorted(by_stratum.items()):
        table = allocation.allocation_table(spec, stratum=stratum, n_slots=max(taken) + 1)
        for assignment in table:
            if assignment.slot not in taken:
                continue
            promise.arms[stratum, assignment.arm] += 1
            inaccurate = annotated = 0
            for trial in assignment.trials:
                if trial.is_training:
                    continue
                variant = "accurate" if trial.advice_correct else "inaccurate"
                drawn = questions.annotation_drawn(
                    allocated=trial.annotation_shown,
                    explanation=explanation.get(assignment.arm, ""),
                    has_annotation=(trial.case, variant) in has_annotation,
                )
                promise.shown[trial.case] += 1
                promise.inaccurate[trial.case] += not trial.advice_correct
                promise.annotated[trial.case] += drawn
                inaccurate += not trial.advice_correct
                annotated += drawn
            promise.per_slot[stratum, assignment.slot] = (inaccurate, annotated)
    return promise


def _participant_counts(
    enrolled: QuerySet[Participant], promise: _Promise
) -> tuple[list[ParticipantCountsRow], list[str], int]:
    """Counted per participant in SQL, compared with the slot's promise here (it differs by
    slot, so it cannot be a filter)."""
    counted = enrolled.annotate(
        n_inaccurate=_test_trial_count(Q(advice__variant="inaccurate")),
        n_annotated=_test_trial_count(Q(annotation_shown=True)),
    ).order_by("stratum", "slot")
    groups: Counter[tuple[int, int, int, int]] = Counter()
    deviating: list[str] = []
    for stratum, slot, public_id, inaccurate, annotated in counted.values_list(
        "stratum", "slot", "public_id", "n_inaccurate", "n_annotated"
    ):
        promised = promise.per_slot[stratum, slot]
        groups[inaccurate, annotated, *promised] += 1
        if (inaccurate, annotated) != promised:
            deviating.append(public_id)
    rows = [ParticipantCountsRow(*key, participants=n) for key, n in sorted(groups.items())]
    return rows, deviating[:DEVIATING_SHOWN], len(deviating)


def study_within_balance(*, study: Study, spec: allocation.DesignSpec) -> WithinBalance:
    """The balance of the participants who hold a slot (withdrawn ones too: their trials were
    allocated all the same) against what ``spec`` (the study's design) promises for those slots."""
    enrolled = study.participants.filter(slot__isnull=False)
    try:
        promise = _promise(study, spec, set(enrolled.values_list("stratum", "slot")))
    except allocation.DesignError as problem:
        return WithinBalance(
            inaccurate_promised=study.inaccurate_per_participant,
            annotated_promised=study.annotated_per_participant,
            arm_strata=[],
            participant_counts=[],
            deviating_participants=[],
            deviating_participant_count=0,
            cases=[],
            problem=str(problem),
        )
    arm_rows = enrolled.values("stratum", "arm__code").annotate(n=Count("id")).order_by()
    enrolled_arms = Counter({(row["stratum"], row["arm__code"]): row["n"] for row in arm_rows})
    arm_strata = [
        ArmStratumBalance(stratum, arm, enrolled_arms[stratum, arm], promise.arms[stratum, arm])
        for stratum, arm in sorted(set(enrolled_arms) | set(promise.arms))
    ]
    case_rows = {
        row["case__code"]: row
        for row in Trial.objects.filter(participant__in=enrolled, is_training=False)
        .values("case__code")
        .annotate(
            shown=Count("id"),
            inaccurate=Count("id", filter=Q(advice__variant="inaccurate")),
            annotated=Count("id", filter=Q(annotation_shown=True)),
        )
        .order_by()
    }
    none = {"shown": 0, "inaccurate": 0, "annotated": 0}
    cases = [
        CaseBalance(
            case=code,
            shown=case_rows.get(code, none)["shown"],
            shown_promised=promise.shown[code],
            inaccurate=case_rows.get(code, none)["inaccurate"],
            inaccurate_promised=promise.inaccurate[code],
            annotated=case_rows.get(code, none)["annotated"],
            annotated_promised=promise.annotated[code],
        )
        for code in [*spec.cases, *sorted(set(case_rows) - set(spec.cases))]
    ]
    counts, deviating, deviating_count = _participant_counts(enrolled, promise)
    return WithinBalance(
        inaccurate_promised=spec.inaccurate_per_participant,
        annotated_promised=spec.annotated_per_participant,
        arm_strata=arm_strata,
        participant_counts=counts,
        deviating_participants=deviating,
        deviating_participant_count=deviating_count,
        cases=cases,
        problem="",
    )
