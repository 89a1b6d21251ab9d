"""Reads: they return data (rows, counts, steps), never URLs, responses or other HTTP details.

One module per area; the public names are re-exported here."""

from .audit import NO_ACTOR, AuditFilters, study_audit_choices, study_audit_events
from .cases import case_image_file, case_image_paths, trial_image_names
from .export_rows import (
    ALLOCATION_COLUMNS,
    PARTICIPANTS_COLUMNS,
    TRIALS_COLUMNS,
    allocation_rows,
    exported_participants,
    participant_rows,
    participant_status,
    trial_rows,
    trials_frame,
)
from .export_tables import (
    AUDIT_COLUMNS,
    CASES_COLUMNS,
    audit_rows,
    case_rows,
    design_version_records,
)
from .jobs import (
    report_current,
    report_fingerprint,
    report_latest,
    report_pending,
    study_job,
    study_jobs,
)
from .participants import (
    Step,
    participant_by_external_id,
    participant_by_token,
    participant_current_step,
    participant_progress_label,
    participant_trial_at,
    study_by_enrolment_token,
    token_plausible,
)
from .preview import PreviewChoices, PreviewTrial, preview_choices, preview_trial
from .progress import CellProgress, stratum_quota_rows, studies_with_counts, study_progress
from .progress_balance import WithinBalance, study_within_balance
from .progress_steps import (
    DayCounts,
    DurationSummary,
    StepDropout,
    study_dropout_by_step,
    study_duration_summary,
    study_enrolment_by_day,
)
from .studies import (
    RECENT_AUDIT_EVENTS,
    cases_awaiting_review,
    studies_with_arms,
    study_cases,
    study_design_rows,
    study_diagnoses,
)

__all__ = [
    "ALLOCATION_COLUMNS",
    "AUDIT_COLUMNS",
    "CASES_COLUMNS",
    "NO_ACTOR",
    "PARTICIPANTS_COLUMNS",
    "RECENT_AUDIT_EVENTS",
    "TRIALS_COLUMNS",
    "AuditFilters",
    "CellProgress",
    "DayCounts",
    "DurationSummary",
    "PreviewChoices",
    "PreviewTrial",
    "Step",
    "StepDropout",
    "WithinBalance",
    "allocation_rows",
    "audit_rows",
    "case_image_file",
    "case_image_paths",
    "case_rows",
    "cases_awaiting_review",
    "design_version_records",
    "exported_participants",
    "participant_by_external_id",
    "participant_by_token",
    "participant_current_step",
    "participant_progress_label",
    "participant_rows",
    "participant_status",
    "participant_trial_at",
    "preview_choices",
    "preview_trial",
    "report_current",
    "report_fingerprint",
    "report_latest",
    "report_pending",
    "stratum_quota_rows",
    "studies_with_arms",
    "studies_with_counts",
    "study_audit_choices",
    "study_audit_events",
    "study_by_enrolment_token",
    "study_cases",
    "study_design_rows",
    "study_diagnoses",
    "study_dropout_by_step",
    "study_duration_summary",
    "study_enrolment_by_day",
    "study_job",
    "study_jobs",
    "study_progress",
    "study_within_balance",
    "token_plausible",
    "trial_image_names",
    "trial_rows",
    "trials_frame",
]
