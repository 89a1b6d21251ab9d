"""The audit log in words (templates/console/_audit_table.html): an action code as a sentence
a study team reads, and an event's JSON detail as "key: value" lines, never a Python dict."""

from typing import Any

from django import template

register = template.Library()

# Known actions; any other code still reads as words ("invitation_email.sent" -> "Invitation
# email sent"), so an action added later needs no entry here to be readable.
ACTION_WORDS = {
    "abandon_threshold.set": "Abandonment threshold set",
    "arm.create": "Arm added",
    "arm.delete": "Arm deleted",
    "arm.edit": "Arm edited",
    "case.review_confirmed": "Case confirmed free of burned-in text",
    "case.training": "Case training flag changed",
    "cases.import": "Cases imported",
    "cases.import_refused": "Case import refused",
    "diagnosis.create": "Diagnosis option added",
    "diagnosis.delete": "Diagnosis option deleted",
    "diagnosis.edit": "Diagnosis option edited",
    "example.add": "Example image added",
    "example.delete": "Example image deleted",
    "email.failed": "E-mail could not be sent",
    "email.sent": "E-mail sent",
    "email.templates": "E-mail texts edited",
    "email.unsubscribe": "Participant unsubscribed from e-mails",
    "export": "Data exported",
    "invitations.create": "Invitation links created",
    "invitations.email": "Invitations e-mailed",
    "job.done": "Background job finished",
    "job.failed": "Background job failed",
    "job.start": "Background job started",
    "link.relabel": "Invitation link relabelled",
    "link.revoke": "Invitation link revoked",
    "membership.add": "Team member added",
    "panel.set": "Recruitment panel set",
    "participant.complete": "Participant completed",
    "participant.consent": "Participant consented",
    "participant.enrol": "Participant enrolled",
    "participant.ineligible": "Participant screened out",
    "participant.self_enrol": "Participant enrolled through the open link",
    "participant.slot_reissued": "Slot reissued to another participant",
    "participant.synthetic": "Participant marked simulated (bot)",
    "participant.stratum_full": "Participant turned away: stratum full",
    "participant.withdrawn": "Participant withdrawn",
    "quotas.set": "Stratum quotas set",
    "report": "Analysis report fitted",
    "self_enrolment.disable": "Open enrolment link disabled",
    "self_enrolment.enable": "Open enrolment link created",
    "study.archived": "Study archived",
    "study.clone": "Study cloned",
    "study.close": "Recruitment closed",
    "study.create": "Study created",
    "study.design_amended": "Design amended",
    "study.design_locked": "Design locked",
    "study.design_version_recorded": "Design version recorded",
    "study.edit": "Study settings edited",
    "study.from_template": "Study created from a template",
    "study.language": "Study language changed",
    "study.open": "Recruitment opened",
    "study.pilot_mode": "Pilot mode changed",
    "study.restored": "Study restored from an archive",
    "study.translations": "Translations edited",
    "synthetic.purged": "Synthetic participants purged",
}


@register.filter
def audit_action(code: str) -> str:
    """The action in words: the known sentence, else the code's own words."""
    if code in ACTION_WORDS:
        return ACTION_WORDS[code]
    words = code.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _value_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value) if value else "none"
    if isinstance(value, dict):
        return "(" + "; ".join(f"{_key_text(k)}: {_value_text(v)}" for k, v in value.items()) + ")"
    return str(value)


def _key_text(key: Any) -> str:
    return str(key).replace("_", " ")


@register.filter
def audit_detail(detail: Any) -> list[str]:
    """One "key: value" line per top-level key, in the order recorded; nested values inline.
    A detail that is not a mapping (old rows, hand-made ones) is one line of its text."""
    if isinstance(detail, dict):
        return [f"{_key_text(key)}: {_value_text(value)}" for key, value in detail.items()]
    if detail in (None, "", [], ()):
        return []
    return [_value_text(detail)]
