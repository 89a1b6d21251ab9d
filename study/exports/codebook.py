"""DATA.md's codebook (version 2) with a study's own codes filled in: the trials columns, then
the participants columns with one entry per questionnaire item (its wording, type and codes).

Also the DATA.md types of the non-trials tables, for their Parquet schemas."""

from typing import Any

from analysis.data import codebook_frame
from study.core import instruments, vocabulary
from study.core.questionnaire import Item
from study.models import Study
from study.selectors.export_rows import study_questionnaire

# participants: (column, type, nullable, meaning); the questionnaire items follow.
PARTICIPANT_SPECS: tuple[tuple[str, str, bool, str], ...] = (
    ("participant", "str", False, "pseudonymous participant id (never the token)"),
    ("stratum", "str", False, "expertise group used for allocation"),
    ("specialty", "str", False, "screening answer"),
    ("training_level", "str", False, "screening answer"),
    ("years_experience", "int", True, "screening answer"),
    ("prior_ai_use", "str", True, "screening answer"),
    ("arm", "str", False, "between-subject arm code"),
    ("status", "str", False, "consented, in_progress, abandoned or completed"),
    ("consented_at", "datetime", True, "server timestamp, ISO 8601 UTC"),
    ("completed_at", "datetime", True, "server timestamp, ISO 8601 UTC"),
    ("n_trials_answered", "int", False, "answered trials"),
    ("design_version", "int", False, "design version the participant ran under"),
    ("language", "str", True, "language of the participant's session"),
    ("external_id", "str", True, "a recruitment panel's participant id"),
    (
        "panel_params",
        "str",
        True,
        "the panel's session parameters from the link, a JSON object (e.g. STUDY_ID, SESSION_ID)",
    ),
    ("synthetic", "bool", False, "the participant was simulated"),
)
ALLOCATION_TYPES = (
    ("stratum", "str"),
    ("slot", "int"),
    ("arm", "str"),
    ("case_order", "str"),
    ("inaccurate_cases", "str"),
    ("participant", "str"),
    ("annotated_cases", "str"),
    ("confidence_cases", "str"),
    ("training_cases", "str"),
)
CASES_TYPES = (
    ("case", "str"),
    ("variant", "str"),
    ("is_training", "bool"),
    ("vignette", "str"),
    ("reference_diagnosis", "str"),
    ("advised_diagnosis", "str"),
    ("advice_text", "str"),
    ("annotation", "str"),
    ("displayed_confidence", "float"),
    ("image_sha256", "str"),
)
AUDIT_TYPES = (("at", "datetime"), ("actor", "str"), ("action", "str"), ("detail", "str"))


def participant_types(*, study: Study, free_text: bool = True) -> tuple[tuple[str, str], ...]:
    """(column, DATA.md type) of the study's participants table, its questionnaire items
    included (the free-text ones only with ``free_text``)."""
    return tuple((name, kind) for name, kind, _n, _m in PARTICIPANT_SPECS) + tuple(
        (item.column, item.export_type) for item in study_questionnaire(study, free_text=free_text)
    )


def _codes(rows: instruments.Options) -> str:
    return ";".join(code for code, _label in rows)


def _item_meaning(item: Item) -> str:
    """The item's wording with what its cells hold: the anchors of a Likert scale, the labels
    of the choices (several codes joined by ';' for multiple choice)."""
    details = []
    if item.type == "likert" and item.scale is not None and item.anchors is not None:
        (low, high), (low_word, high_word) = item.scale, item.anchors
        details.append(f"{low} = {low_word}, {high} = {high_word}")
    if item.choices:
        details.append("; ".join(f"{code} = {label}" for code, label in item.choices))
    if item.type == "multiple":
        details.append("every code chosen, joined by ';'")
    shown = f" ({'; '.join(details)})" if details else ""
    return f"questionnaire ({item.type}): {item.wording}{shown}"


def study_codebook(*, study: Study, free_text: bool = True) -> list[dict[str, Any]]:
    """DATA.md's codebook with this study's own codes filled in (table, column, type, nullable,
    codes, meaning); without ``free_text``, no entries for the free-text columns left out."""
    frame = codebook_frame(
        rating_range=(1, study.rating_scale_max), confidence_range=(1, study.confidence_scale_max)
    )
    diagnoses = ";".join(study.diagnoses.values_list("code", flat=True))
    strata = ";".join(vocabulary.strata_of(study.stratum_map))
    arms = ";".join(study.arms.values_list("code", flat=True))
    # The study's own screening codes, whatever it stratifies by (the stratum map's keys are
    # training levels or experience bands when it stratifies by those).
    screening = instruments.screening_parse(study.screening)
    specialties = _codes(screening.specialties)
    own = {
        "study": study.slug,
        "stratum": strata,
        "specialty": specialties,
        "training_level": _codes(screening.training_levels),
        "arm": arms,
        "case": ";".join(study.cases.values_list("code", flat=True)),
        "advised_diagnosis": diagnoses,
        "reference_diagnosis": diagnoses,
        "unaided_diagnosis": diagnoses,
        "final_diagnosis": diagnoses,
    }
    records = frame.to_dict("records")
    for record in records:
        record["codes"] = own.get(record["column"], record["codes"])
        record["table"] = "trials"
    participant_codes = {
        "stratum": strata,
        "specialty": specialties,
        "training_level": _codes(screening.training_levels),
        "prior_ai_use": _codes(screening.prior_ai_use),
        "arm": arms,
        "status": "consented;in_progress;abandoned;completed",
        "synthetic": "true;false",
    }
    for name, kind, nullable, meaning in PARTICIPANT_SPECS:
        records.append(
            {
                "column": name,
                "type": kind,
                "nullable": nullable,
                "codes": participant_codes.get(name, ""),
                "meaning": meaning,
                "table": "participants",
            }
        )
    for item in study_questionnaire(study, free_text=free_text):
        records.append(
            {
                "column": item.column,
                "type": item.export_type,
                "nullable": True,  # a participant who stopped before it has no answer
                "codes": item.codes,
                "meaning": _item_meaning(item),
                "table": "participants",
            }
        )
    return records


__all__ = [
    "ALLOCATION_TYPES",
    "AUDIT_TYPES",
    "CASES_TYPES",
    "PARTICIPANT_SPECS",
    "participant_types",
    "study_codebook",
]
