"""Reads: where a participant is, progress for the console, and the export rows of DATA.md."""

from collections.abc import Iterator
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, Q

from analysis import data as data_contract
from study import design
from study.models import Participant, Response, Study, Trial


@dataclass(frozen=True)
class Step:
    """The one page a participant belongs on now; every participant URL redirects here."""

    # consent, declined, screening, ineligible, full, trial, questionnaire, debrief, done
    name: str
    trial: Trial | None = None
    position: int | None = None
    total: int | None = None


def participant_step(*, participant: Participant) -> Step:
    status = participant.status
    if status == Participant.Status.INVITED:
        return Step("consent")
    if status == Participant.Status.DECLINED:
        return Step("declined")
    if status == Participant.Status.INELIGIBLE:
        return Step("ineligible")
    if status == Participant.Status.STRATUM_FULL:
        return Step("full")
    if status == Participant.Status.REISSUED:
        return Step("reissued")
    if status == Participant.Status.CONSENTED:
        return Step("screening")
    if status in (Participant.Status.COMPLETED, Participant.Status.WITHDRAWN):
        return Step("done")
    trials = participant.trials.order_by("position")
    total = trials.count()
    next_trial = trials.filter(response__isnull=True).select_related("case", "advice").first()
    if next_trial is not None:
        return Step("trial", trial=next_trial, position=next_trial.position, total=total)
    if participant.questionnaire_at is None:
        return Step("questionnaire", total=total)
    return Step("debrief", total=total)


def participant_progress_label(*, trial: Trial, total: int, training_total: int) -> str:
    """ "Training case 1 of 2" or "Case 3 of 8": test cases are counted after training."""
    if trial.is_training:
        return f"Training case {trial.position} of {training_total}"
    return f"Case {trial.position - training_total} of {total - training_total}"


@dataclass(frozen=True)
class CellProgress:
    stratum: str
    arm: str
    enrolled: int
    completed: int
    withdrawn: int
    in_progress: int


def study_progress(*, study: Study) -> dict:
    participants = study.participants.all()
    counts = participants.aggregate(
        invited=Count("id"),
        declined=Count("id", filter=Q(status=Participant.Status.DECLINED)),
        ineligible=Count("id", filter=Q(status=Participant.Status.INELIGIBLE)),
        enrolled=Count("id", filter=Q(slot__isnull=False)),
        completed=Count("id", filter=Q(status=Participant.Status.COMPLETED)),
        withdrawn=Count("id", filter=Q(status=Participant.Status.WITHDRAWN)),
        in_progress=Count("id", filter=Q(status=Participant.Status.IN_PROGRESS)),
    )
    cells = (
        participants.filter(slot__isnull=False)
        .values("stratum", "arm__code")
        .annotate(
            enrolled=Count("id"),
            completed=Count("id", filter=Q(status=Participant.Status.COMPLETED)),
            withdrawn=Count("id", filter=Q(status=Participant.Status.WITHDRAWN)),
            in_progress=Count("id", filter=Q(status=Participant.Status.IN_PROGRESS)),
        )
        .order_by("stratum", "arm__code")
    )
    durations = [
        (p.completed_at - p.enrolled_at).total_seconds()
        for p in participants.filter(status=Participant.Status.COMPLETED).only(
            "completed_at", "enrolled_at"
        )
        if p.completed_at and p.enrolled_at
    ]
    counts["cells"] = [
        CellProgress(
            stratum=c["stratum"],
            arm=c["arm__code"],
            enrolled=c["enrolled"],
            completed=c["completed"],
            withdrawn=c["withdrawn"],
            in_progress=c["in_progress"],
        )
        for c in cells
    ]
    counts["dropout"] = counts["enrolled"] - counts["completed"] - counts["in_progress"]
    counts["median_minutes"] = round(median(durations) / 60, 1) if durations else None
    counts["answered_trials"] = Response.objects.filter(trial__participant__study=study).count()
    return counts


# The export contract (DATA.md) is defined once, in the analysis package that reads it.
TRIALS_COLUMNS = data_contract.TRIALS_COLUMNS


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def trial_rows(*, study: Study, chunk_size: int = 2000) -> Iterator[dict]:
    """One row per answered trial of non-withdrawn participants, streamed in chunks."""
    trials = (
        Trial.objects.filter(participant__study=study, response__isnull=False)
        .exclude(participant__status=Participant.Status.WITHDRAWN)
        .select_related("participant__arm", "case", "advice", "response")
        .order_by("participant__public_id", "position")
    )
    for trial in trials.iterator(chunk_size=chunk_size):
        participant, response, advice = trial.participant, trial.response, trial.advice
        advice_correct = advice.variant == advice.Variant.ACCURATE
        followed = response.final_diagnosis == advice.diagnosis
        # Gaube 2021 scoring: keeping accurate advice or rejecting inaccurate advice is correct.
        if advice_correct:
            correct_decision = response.decision in ("accept", "modify")
        else:
            correct_decision = response.decision == "reject"
        response_ms = (
            int((response.answered_at - trial.advice_shown_at).total_seconds() * 1000)
            if trial.advice_shown_at
            else None
        )
        yield {
            "study": study.slug,
            "participant": participant.public_id,
            "stratum": participant.stratum,
            "specialty": participant.specialty,
            "training_level": participant.training_level,
            "years_experience": participant.years_experience,
            "arm": participant.arm.code,
            "advice_source": participant.arm.advice_source,
            "case": trial.case.code,
            "position": trial.position,
            "is_training": trial.is_training,
            "advice_correct": advice_correct,
            "annotation_shown": trial.annotation_shown,
            "displayed_confidence": advice.displayed_confidence,
            "advised_diagnosis": advice.diagnosis,
            "reference_diagnosis": trial.case.reference_diagnosis,
            "unaided_diagnosis": trial.unaided_diagnosis or None,
            "unaided_confidence": trial.unaided_confidence,
            "advice_rating": response.advice_rating,
            "decision": response.decision,
            "final_diagnosis": response.final_diagnosis,
            "confidence": response.confidence,
            "followed_advice": followed,
            "correct_decision": correct_decision,
            "correct_diagnosis": response.final_diagnosis == trial.case.reference_diagnosis,
            "response_ms": response_ms,
            "shown_at": _iso(trial.shown_at),
            "answered_at": _iso(response.answered_at),
        }


PARTICIPANTS_COLUMNS = (
    "participant",
    "stratum",
    "specialty",
    "training_level",
    "years_experience",
    "prior_ai_use",
    "arm",
    "status",
    "consented_at",
    "completed_at",
    "n_trials_answered",
)


def participant_rows(*, study: Study) -> Iterator[dict]:
    participants = (
        study.participants.filter(slot__isnull=False)
        .exclude(status=Participant.Status.WITHDRAWN)
        .select_related("arm")
        .annotate(answered=Count("trials__response"))
        .order_by("public_id")
    )
    for participant in participants.iterator(chunk_size=2000):
        status = participant.status
        if status == Participant.Status.IN_PROGRESS and participant.answered == 0:
            status = "consented"
        yield {
            "participant": participant.public_id,
            "stratum": participant.stratum,
            "specialty": participant.specialty,
            "training_level": participant.training_level,
            "years_experience": participant.years_experience,
            "prior_ai_use": participant.prior_ai_use,
            "arm": participant.arm.code,
            "status": status,
            "consented_at": _iso(participant.consented_at),
            "completed_at": _iso(participant.completed_at),
            "n_trials_answered": participant.answered,
        }


ALLOCATION_COLUMNS = ("stratum", "slot", "arm", "case_order", "inaccurate_cases", "participant")


def allocation_rows(*, study: Study, spec: design.DesignSpec, n_slots: int) -> Iterator[dict]:
    """The allocation table, printable before the study starts; taken slots name the participant."""
    strata = sorted(set(study.stratum_map.values()))
    taken = {
        (p["stratum"], p["slot"]): p["public_id"]
        for p in study.participants.filter(slot__isnull=False)
        .exclude(status=Participant.Status.WITHDRAWN)
        .values("stratum", "slot", "public_id")
    }
    for stratum in strata:
        for assignment in design.allocation_table(spec, stratum=stratum, n_slots=n_slots):
            yield {
                "stratum": stratum,
                "slot": assignment.slot,
                "arm": assignment.arm,
                "case_order": ";".join(assignment.case_order),
                "inaccurate_cases": ";".join(assignment.inaccurate_cases),
                "participant": taken.get((stratum, assignment.slot), ""),
            }


_IMAGE_TYPES = {".png": "image/png", ".webp": "image/webp", ".jpg": "image/jpeg"}


def image_content_type(name: str) -> str:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return _IMAGE_TYPES.get(suffix, "application/octet-stream")


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def case_image_paths(*, case) -> dict[str, str]:
    """Stored derivative paths of a case by their public file name (never the DICOM)."""
    paths = {}
    for field in (case.display_image, case.preview_image, case.thumbnail_image):
        if field:
            paths[_basename(field.name)] = field.name
    for preset in case.window_presets or []:
        paths[_basename(preset["path"])] = preset["path"]
    return paths


def case_image_file(*, case, name: str):
    """The storage file behind a public image name of this case, or None."""
    from django.core.files.storage import default_storage

    path = case_image_paths(case=case).get(name)
    if path is None:
        return None
    return default_storage.open(path) if default_storage.exists(path) else None


def trial_images(*, trial: Trial) -> dict:
    """Image URLs for a participant's trial: preview first, native resolution and presets."""
    from django.urls import reverse

    case = trial.case

    def url(path: str) -> str:
        return reverse(
            "participant:image", args=[trial.participant.token, trial.position, _basename(path)]
        )

    presets = [
        {
            "name": preset["name"],
            "label": preset.get("label", preset["name"]),
            "url": url(preset["path"]),
        }
        for preset in case.window_presets or []
    ]
    return {
        "preview": url(case.preview_image.name) if case.preview_image else None,
        "display": url(case.display_image.name) if case.display_image else None,
        "presets": presets,
        "width": case.image_width,
        "height": case.image_height,
    }


def case_thumbnail_name(*, case) -> str | None:
    return _basename(case.thumbnail_image.name) if case.thumbnail_image else None


def trials_frame(*, study: Study):
    """The trials table as a DataFrame in DATA.md column order (for the analysis package)."""
    import pandas as pd

    return pd.DataFrame(list(trial_rows(study=study)), columns=list(TRIALS_COLUMNS))


def stratum_quota_rows(*, study: Study) -> list[dict]:
    """Per stratum: enrolments so far (slots taken) and the quota, if any."""
    taken = dict(study.stratum_counters.values_list("stratum", "next_slot"))
    return [
        {"stratum": s, "enrolled": taken.get(s, 0), "quota": study.stratum_quotas.get(s)}
        for s in sorted(set(study.stratum_map.values()))
    ]
