from .audit import AuditEvent
from .case import Advice, Case
from .participant import Participant, Response, Trial
from .study import Arm, DiagnosisOption, Study, StratumCounter, StudyMembership

__all__ = [
    "Advice",
    "Arm",
    "AuditEvent",
    "Case",
    "DiagnosisOption",
    "Participant",
    "Response",
    "StratumCounter",
    "Study",
    "StudyMembership",
    "Trial",
]
