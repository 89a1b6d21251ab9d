"""Codes used in screening and exports (DATA.md); labels are what participants read."""

SPECIALTIES = [
    ("radiology", "Radiology"),
    ("internal_medicine", "Internal medicine"),
    ("emergency_medicine", "Emergency medicine"),
    ("other", "Other specialty"),
]
TRAINING_LEVELS = [
    ("attending", "Attending / consultant"),
    ("fellow", "Fellow"),
    ("resident", "Resident / registrar"),
    ("other", "Other"),
]
PRIOR_AI_USE = [
    ("never", "Never"),
    ("occasionally", "Occasionally"),
    ("regularly", "Regularly"),
]
DEFAULT_STRATUM_MAP = {
    "radiology": "radiology",
    "internal_medicine": "non_radiology",
    "emergency_medicine": "non_radiology",
}

# What decides a participant's stratum. The stratum map's keys are codes of that basis; for
# years of experience they are the lower bounds of the bands below.
STRATIFY_BASES = [
    ("specialty", "Specialty"),
    ("training_level", "Training level"),
    ("years_experience", "Years of experience"),
]
EXPERIENCE_BANDS = [
    ("0", "0 to 4 years"),
    ("5", "5 to 9 years"),
    ("10", "10 to 19 years"),
    ("20", "20 years or more"),
]


def stratum_rows(stratify_by: str) -> list[tuple[str, str]]:
    """The (key, label) rows a study maps to strata for a basis."""
    return {
        "specialty": SPECIALTIES,
        "training_level": TRAINING_LEVELS,
        "years_experience": EXPERIENCE_BANDS,
    }[stratify_by]


def stratum_for(
    *,
    stratify_by: str,
    stratum_map: dict,
    specialty: str,
    training_level: str,
    years_experience: int,
) -> str | None:
    """The participant's stratum, or None when the study does not include them."""
    if stratify_by == "specialty":
        return stratum_map.get(specialty)
    if stratify_by == "training_level":
        return stratum_map.get(training_level)
    bands = sorted((int(start), stratum) for start, stratum in stratum_map.items())
    found = None
    for start, stratum in bands:
        if years_experience >= start:
            found = stratum
    return found


def strata_of(stratum_map: dict[str, str]) -> list[str]:
    """The strata a study allocates in: the distinct values of its stratum map, sorted. The one
    definition used by enrolment, quotas, the allocation table and the codebook."""
    return sorted(set(stratum_map.values()))
