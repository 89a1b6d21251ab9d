from .audit import AuditEvent
from .case import Advice, Case
from .participant import Participant, Response, Trial
from .study import Arm, DesignVersion, DiagnosisOption, StratumCounter, Study, StudyMembership

__all__ = [
    "Advice",
    "Arm",
    "AuditEvent",
    "Case",
    "DesignVersion",
    "DiagnosisOption",
    "Participant",
    "Response",
    "StratumCounter",
    "Study",
    "StudyMembership",
    "Trial",
]
