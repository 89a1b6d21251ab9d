"""Design amendments: after the first enrolment, a text participants read changes only with a
reason, and the change becomes the study's next design version (services.design_versions).

Rule: the reason is required; design fields (the allocation, scales and strata) stay frozen
and are refused as by the builder; an amendment that changes nothing records nothing.
Participants who enrol after an amendment run under the new version; those before keep theirs.
"""

from typing import Any

from django.db import transaction

from study.core.design_document import text_normalise
from study.core.text import TextTooLong
from study.models import Study

from .audit import Actor, audit_record
from .builder import study_texts_fit
from .design_rules import DESIGN_FIELDS, locked_refuse, settings_changes
from .design_versions import design_version_amend, design_version_current
from .studies import StudyStateError


class AmendmentError(ValueError):
    """An amendment that cannot be recorded as asked; ``field`` is the input at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# Any: the settings differ in type (texts, counts, a seed, a flag, the stratum map).
@transaction.atomic
def design_amend(*, study: Study, actor: Actor, reason: str, **fields: Any) -> Study:
    """Change texts of a locked design for the reason given; records the next design version
    (its own hash, reason, actor) and the audit event ``study.design_amended``."""
    if not isinstance(reason, str) or not text_normalise(reason):
        raise AmendmentError(
            "reason: an amendment after the first enrolment needs a reason; say why the "
            "design changes (it is recorded with the new design version).",
            field="reason",
        )
    reason = text_normalise(reason)
    # The row lock orders the amendment against other edits and a concurrent lock.
    study = Study.objects.select_for_update().get(pk=study.pk)
    if study.design_locked_at is None:
        raise StudyStateError(
            f"Study '{study.slug}' has no enrolled participant yet: its design is still a "
            "draft and changes without an amendment."
        )
    try:
        study_texts_fit(fields=fields)
    except TextTooLong as refusal:  # at the field, as every other amendment refusal
        raise AmendmentError(str(refusal), field=refusal.field) from None
    fields, changed = settings_changes(study=study, fields=fields, caller="design_amend")
    design_version_current(study=study)  # a study locked before versions were kept: version 1
    design_changes = [name for name in changed if name in DESIGN_FIELDS]
    if design_changes:
        locked_refuse(study=study, what=", ".join(design_changes))
    if not changed:
        return study
    for name in changed:
        setattr(study, name, fields[name])
    study.save(update_fields=changed)
    version = design_version_amend(study=study, actor=actor, reason=reason)
    audit_record(
        action="study.design_amended",
        study=study,
        actor=actor,
        detail={
            "version": version.version,
            "sha256": version.sha256,
            "reason": reason,
            "fields": changed,
        },
    )
    return study
