"""Simulated participants: flagged synthetic, only in a demo or a pilot, on every design, kept
out of exports unless asked for, and purged by one command."""

import csv
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from study import services
from study.models import AuditEvent, Case, Participant, Response, Trial
from tests.factories import answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _simulate(study, participants=4, seed=1):
    return services.study_simulate(
        study=study, participants=participants, rng=np.random.default_rng(seed)
    )


def _trials_csv(study, **kwargs) -> list[dict]:
    handle = io.BytesIO()
    services.study_export(study=study, table="trials", handle=handle, **kwargs)
    return list(csv.DictReader(io.StringIO(handle.getvalue().decode("utf-8"))))


def test_given_a_real_study_when_simulating_then_it_is_refused_and_nothing_is_written():
    study = gaube_study()
    with pytest.raises(services.StudyStateError) as caught:
        _simulate(study)
    assert str(caught.value) == (
        f"Study '{study.slug}' is neither a demo nor in pilot mode: simulated participants "
        "would sit beside real ones. Turn pilot mode on first "
        f"(python manage.py pilot_mode --study {study.slug} --on)."
    )
    assert not Participant.objects.filter(study=study).exists()


def test_given_pilot_mode_then_simulated_participants_are_flagged_and_left_out_of_exports():
    study = gaube_study()
    call_command("pilot_mode", "--study", study.slug, "--on", stdout=io.StringIO())
    real = enrolled_participant(study)
    answer_all(real)
    study.refresh_from_db()

    summary = _simulate(study, participants=3)

    assert summary["participants"] == 3
    assert Participant.objects.filter(study=study, synthetic=True).count() == 3
    assert not Participant.objects.get(pk=real.pk).synthetic
    default = _trials_csv(study)
    assert {row["participant"] for row in default} == {real.public_id}
    assert {row["synthetic"] for row in default} == {"false"}
    everyone = _trials_csv(study, include_synthetic=True)
    assert len({row["participant"] for row in everyone}) == 4
    marked = {row["participant"] for row in everyone if row["synthetic"] == "true"}
    assert len(marked) == 3
    assert real.public_id not in marked
    assert AuditEvent.objects.filter(study=study, action="study.pilot_mode").exists()


def test_given_read_then_reveal_with_training_cases_then_simulation_answers_every_trial():
    # given: a read-then-reveal design with a training case (simulate used to crash on it)
    study = gaube_study(
        open_study=False,
        read_then_reveal=True,
        cases_per_participant=6,
        inaccurate_per_participant=2,
        pilot_mode=True,
    )
    Case.objects.filter(study=study, code="C08").update(is_training=True)
    study = services.study_open(study=study)
    # when
    summary = _simulate(study, participants=4)
    # then: every trial has its unaided read before the advice and an answer
    trials = Trial.objects.filter(participant__study=study)
    assert summary["trials"] == trials.count() == 4 * 7
    assert not trials.filter(response__isnull=True).exists()
    assert not trials.filter(unaided_diagnosis="").exists()
    assert all(t.unaided_confidence is not None for t in trials)
    assert trials.filter(is_training=True).count() == 4
    questionnaires = Participant.objects.filter(study=study).values_list("questionnaire", flat=True)
    assert all(set(q) == {"ai_attitude", "advice_usefulness", "comments"} for q in questionnaires)


def test_given_simulated_and_real_participants_when_purged_then_only_the_simulated_go():
    study = gaube_study(pilot_mode=True)
    real = enrolled_participant(study)
    answer_all(real)
    _simulate(study, participants=3)

    out = io.StringIO()
    call_command("purge_synthetic", "--study", study.slug, stdout=out)

    assert out.getvalue() == (
        f"Purged 3 synthetic participants (24 trials, 24 answers) from '{study.slug}'.\n"
    )
    assert list(Participant.objects.filter(study=study)) == [real]
    assert Response.objects.filter(trial__participant=real).count() == 8
    event = AuditEvent.objects.get(study=study, action="synthetic.purged")
    assert event.detail == {"participants": 3, "trials": 24, "responses": 24}


def test_the_simulate_command_says_why_it_refuses():
    study = gaube_study()
    with pytest.raises(CommandError, match="neither a demo nor in pilot mode"):
        call_command("simulate", "--study", study.slug, "--participants", "2")
