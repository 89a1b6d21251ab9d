"""The notice after the back button: a request for a step the participant has already answered
(a case, the consent, the questions about them, the last questions) is sent on to their current
step with ``?saved=<that step>``, and the current page says so: "Case 3 is saved. You are on case
4 of 8." Only what really is answered is named, so a forged ``?saved=`` shows nothing."""

import re

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from study.models import Participant
from study.selectors.participants import (
    CaseNumber,
    Step,
    participant_answered_trial,
    participant_trial_count,
    trial_case_number,
)

PARAM = "saved"
# The steps of taking part in their order; a case's trial and its feedback share a place.
_ORDER = {
    "consent": 0,
    "screening": 1,
    "trial": 2,
    "feedback": 2,
    "questionnaire": 3,
    "debrief": 4,
    "done": 5,
}
_CASE_STEPS = ("trial", "feedback")
_STEP_NOTICES = {
    "consent": gettext_lazy("Your consent is saved."),
    "screening": gettext_lazy("Your answers about you are saved."),
    "questionnaire": gettext_lazy("Your answers to the last questions are saved."),
    "debrief": gettext_lazy("Your choice about your answers is saved."),
}
_POSITION = re.compile(r"[0-9]{1,5}")


def saved_marker(
    *, participant: Participant, step: Step, names: tuple[str, ...], position: int | None
) -> str | None:
    """What ``?saved=`` names when a request for a page of ``names`` (at ``position``) is sent on
    to ``step``: the case's position or the step, when it is answered; else None."""
    if step.name not in _ORDER:
        return None  # withdrawn, declined, screened out: nothing of theirs is "saved" for them
    if position is not None and any(name in _CASE_STEPS for name in names):
        answered = participant_answered_trial(participant=participant, position=position)
        return str(position) if answered is not None else None
    passed = [name for name in names if name in _STEP_NOTICES and _ORDER[name] < _ORDER[step.name]]
    return passed[0] if passed else None


def saved_notice(*, participant: Participant, step: Step, marker: str) -> str | None:
    """The notice for ``?saved=<marker>`` on the page of ``step``, or None when the marker does
    not name a case or step the participant has answered. Translated when shown (lazy), in the
    language the page is rendered in."""
    if step.name not in _ORDER:
        return None
    if _POSITION.fullmatch(marker):
        trial = participant_answered_trial(participant=participant, position=int(marker))
        if trial is None:
            return None
        total = step.total or participant_trial_count(participant=participant)
        saved = trial_case_number(trial=trial, total=total)
        current = trial_case_number(trial=step.trial, total=total) if step.name == "trial" else None
        return _case_notice(saved, current)
    notice = _STEP_NOTICES.get(marker)
    if notice is None or _ORDER[marker] >= _ORDER[step.name]:
        return None
    return notice


def _case_text(saved: CaseNumber, current: CaseNumber | None) -> str:
    if saved.training:
        text = gettext("Training case %(number)s is saved.") % {"number": saved.number}
    else:
        text = gettext("Case %(number)s is saved.") % {"number": saved.number}
    if current is None:
        return text
    if current.training:
        where = gettext("You are on training case %(number)s of %(total)s.")
    else:
        where = gettext("You are on case %(number)s of %(total)s.")
    return f"{text} {where % {'number': current.number, 'total': current.of}}"


_case_notice = lazy(_case_text, str)
