"""Writes: every change to the study's data goes through one of these functions."""

from .audit import audit_record
from .cases import AdviceInput, CaseInput, case_create, case_image_attach, case_review_confirm
from .participants import (
    Answer,
    ParticipantStateError,
    ResponseInvalid,
    Screening,
    invitations_create,
    participant_complete,
    participant_consent,
    participant_enrol,
    participant_withdraw,
    questionnaire_record,
    response_record,
    trial_show,
    trial_unaided_record,
)
from .studies import (
    StudyStateError,
    study_close,
    study_design_spec,
    study_lock_design,
    study_open,
    study_strata,
)

__all__ = [
    "AdviceInput",
    "Answer",
    "CaseInput",
    "ParticipantStateError",
    "ResponseInvalid",
    "Screening",
    "StudyStateError",
    "audit_record",
    "case_create",
    "case_image_attach",
    "case_review_confirm",
    "invitations_create",
    "participant_complete",
    "participant_consent",
    "participant_enrol",
    "participant_withdraw",
    "questionnaire_record",
    "response_record",
    "study_close",
    "study_design_spec",
    "study_lock_design",
    "study_open",
    "study_strata",
    "trial_show",
    "trial_unaided_record",
]
