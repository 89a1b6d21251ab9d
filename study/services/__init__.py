"""Writes: every change to the study's data goes through one of these functions."""

from .audit import audit_record
from .cases import AdviceInput, CaseInput, case_create, case_image_attach, case_review_confirm
from .enrolment import (
    participant_self_enrol,
    self_enrolment_disable,
    self_enrolment_enable,
    stratum_quotas_set,
)
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
    "participant_self_enrol",
    "participant_withdraw",
    "questionnaire_record",
    "response_record",
    "self_enrolment_disable",
    "self_enrolment_enable",
    "stratum_quotas_set",
    "study_close",
    "study_design_spec",
    "study_lock_design",
    "study_open",
    "study_strata",
    "trial_show",
    "trial_unaided_record",
]
