from .audit import AuditEvent
from .case import Advice, Case, ExampleImage
from .operations import InvitationEmail, Job
from .participant import Participant, Response, Trial
from .study import Arm, DesignVersion, DiagnosisOption, StratumCounter, Study, StudyMembership

__all__ = [
    "Advice",
    "Arm",
    "AuditEvent",
    "Case",
    "DesignVersion",
    "DiagnosisOption",
    "ExampleImage",
    "InvitationEmail",
    "Job",
    "Participant",
    "Response",
    "StratumCounter",
    "Study",
    "StudyMembership",
    "Trial",
]
