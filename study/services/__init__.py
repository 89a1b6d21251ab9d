"""Writes: every change to the study's data goes through one of these functions.

Keyword-only, typed, atomic, named <entity>_<action>; one module per area, re-exported here."""

from .accounts import researcher_ensure
from .amendments import design_amend
from .audit import audit_record
from .builder import (
    MembershipError,
    arm_delete,
    arm_save,
    diagnosis_delete,
    diagnosis_save,
    membership_add,
    study_create,
    study_design_update,
)
from .cases import (
    AdviceInput,
    CaseInput,
    CaseReviewError,
    ImageStoreError,
    case_create,
    case_image_attach,
    case_review_confirm,
    case_reviews_confirm,
    case_training_set,
    imaging_uid_secret,
)
from .email_sending import (
    SEND_ERRORS,
    email_deliver,
    email_queue,
    email_unsubscribe,
    invitations_email,
    reminders_send_due,
)
from .emails import EmailTemplateInvalid, email_templates_set
from .enrolment import (
    participant_self_enrol,
    self_enrolment_disable,
    self_enrolment_enable,
    stratum_quotas_set,
)
from .examples import ExampleError, example_image_add, example_image_delete
from .exports import EXPORT_TABLES, ExportError, ExportResult, study_export
from .invitations import invitations_create
from .jobs import JobRefused, Outcome, Progress, job_execute, job_runner, job_start
from .links import LinkRefused, link_relabel, link_revoke, links_create
from .memberships import (
    membership_remove,
    membership_role_change,
    study_free_text_export_set,
)
from .panels import (
    PanelConfig,
    PanelConfigError,
    PanelLinkInvalid,
    PanelValues,
    panel_config,
    panel_return,
    panel_settings_set,
    panel_values_read,
)
from .participants import (
    ParticipantStateError,
    ResponseInvalid,
    Screening,
    participant_complete,
    participant_consent,
    participant_enrol,
    participant_withdraw,
    questionnaire_record,
)
from .reports import ReportUnavailable, report_data, study_report
from .responses import (
    Answer,
    decision_validate,
    response_record,
    trial_show,
    trial_unaided_record,
)
from .studies import (
    StudyStateError,
    study_close,
    study_design_hash,
    study_design_spec,
    study_lock_design,
    study_open,
    study_strata,
)
from .synthetic import study_pilot_mode_set, study_simulate, synthetic_purge

__all__ = [
    "EXPORT_TABLES",
    "SEND_ERRORS",
    "AdviceInput",
    "Answer",
    "CaseInput",
    "CaseReviewError",
    "EmailTemplateInvalid",
    "ExampleError",
    "ExportError",
    "ExportResult",
    "ImageStoreError",
    "JobRefused",
    "LinkRefused",
    "MembershipError",
    "Outcome",
    "PanelConfig",
    "PanelConfigError",
    "PanelLinkInvalid",
    "PanelValues",
    "ParticipantStateError",
    "Progress",
    "ReportUnavailable",
    "ResponseInvalid",
    "Screening",
    "StudyStateError",
    "arm_delete",
    "arm_save",
    "audit_record",
    "case_create",
    "case_image_attach",
    "case_review_confirm",
    "case_reviews_confirm",
    "case_training_set",
    "decision_validate",
    "design_amend",
    "diagnosis_delete",
    "diagnosis_save",
    "email_deliver",
    "email_queue",
    "email_templates_set",
    "email_unsubscribe",
    "example_image_add",
    "example_image_delete",
    "imaging_uid_secret",
    "invitations_create",
    "invitations_email",
    "job_execute",
    "job_runner",
    "job_start",
    "link_relabel",
    "link_revoke",
    "links_create",
    "membership_add",
    "membership_remove",
    "membership_role_change",
    "panel_config",
    "panel_return",
    "panel_settings_set",
    "panel_values_read",
    "participant_complete",
    "participant_consent",
    "participant_enrol",
    "participant_self_enrol",
    "participant_withdraw",
    "questionnaire_record",
    "reminders_send_due",
    "report_data",
    "researcher_ensure",
    "response_record",
    "self_enrolment_disable",
    "self_enrolment_enable",
    "stratum_quotas_set",
    "study_close",
    "study_create",
    "study_design_hash",
    "study_design_spec",
    "study_design_update",
    "study_export",
    "study_free_text_export_set",
    "study_lock_design",
    "study_open",
    "study_pilot_mode_set",
    "study_report",
    "study_simulate",
    "study_strata",
    "synthetic_purge",
    "trial_show",
    "trial_unaided_record",
]

# The runners register themselves with study.services.jobs when imported.
from . import job_runners, power_runs  # noqa: F401
