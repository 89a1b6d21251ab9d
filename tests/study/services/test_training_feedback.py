"""trial_feedback_seen stamps a training trial's feedback once: only an answered training trial
of a study that gives feedback has any."""

import pytest

from study import services
from study.models import Case
from study.selectors.participants import participant_current_step
from study.services.responses import trial_feedback_seen
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _participant(feedback: bool = True):
    study = gaube_study(
        open_study=False,
        cases_per_participant=6,
        inaccurate_per_participant=2,
        training_feedback=feedback,
    )
    Case.objects.filter(study=study, code__in=["C07", "C08"]).update(is_training=True)
    return enrolled_participant(services.study_open(study=study))


def _answer(trial):
    trial = services.trial_show(trial=trial)
    services.response_record(trial=trial, answer=services.Answer(4, "reject", "normal", 4))
    return trial


def test_the_feedback_step_comes_after_the_training_answer_and_is_stamped_once():
    participant = _participant()
    first = participant.trials.get(position=1)
    assert participant_current_step(participant=participant).name == "trial"
    _answer(first)

    step = participant_current_step(participant=participant)
    assert (step.name, step.position) == ("feedback", 1)
    seen = trial_feedback_seen(trial=first).feedback_seen_at
    assert seen is not None
    assert trial_feedback_seen(trial=first).feedback_seen_at == seen
    step = participant_current_step(participant=participant)
    assert (step.name, step.position) == ("trial", 2)


def test_a_test_trial_and_an_unanswered_one_have_no_feedback():
    participant = _participant()
    training = participant.trials.get(position=1)
    with pytest.raises(services.ParticipantStateError, match="follows the answer"):
        trial_feedback_seen(trial=training)
    test_trial = participant.trials.get(position=3)
    assert not test_trial.is_training
    with pytest.raises(services.ParticipantStateError, match="Only training cases"):
        trial_feedback_seen(trial=test_trial)


def test_without_the_study_flag_there_is_no_feedback_step():
    participant = _participant(feedback=False)
    first = participant.trials.get(position=1)
    _answer(first)
    assert participant_current_step(participant=participant).name == "trial"
    with pytest.raises(services.ParticipantStateError, match="Only training cases"):
        trial_feedback_seen(trial=first)
