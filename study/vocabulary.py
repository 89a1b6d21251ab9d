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
