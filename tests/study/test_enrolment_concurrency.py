"""Concurrent enrolment on PostgreSQL: the stratum row lock gives distinct consecutive slots."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from study import design, services
from study.models import Participant
from tests.factories import RADIOLOGIST, gaube_study

pytestmark = pytest.mark.django_db(transaction=True)


def test_given_100_concurrent_enrolments_then_slots_are_distinct_consecutive_and_balanced(
    on_postgres,
):
    study = gaube_study()
    invited = services.invitations_create(study=study, count=100)
    for participant in invited:
        services.participant_consent(participant=participant, agreed=True)
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def enrol(batch):
        try:
            barrier.wait()
            for participant in batch:
                services.participant_enrol(participant=participant, screening=RADIOLOGIST)
        except BaseException as error:  # surfaced below: a thread must not fail silently
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(invited[i::10],)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert connection.vendor == "postgresql"
    assert errors == []
    enrolled = list(Participant.objects.filter(study=study).select_related("arm"))
    assert sorted(p.slot for p in enrolled) == list(range(100))
    assert Counter(p.arm.code for p in enrolled) == {"ai": 50, "human": 50}
    spec = services.study_design_spec(study=study)
    for participant in enrolled:
        expected = design.slot_assignment(spec, stratum="radiology", slot=participant.slot)
        assert participant.arm.code == expected.arm
        assert participant.trials.count() == 8
        assert participant.trials.filter(advice__variant="inaccurate").count() == 2


def test_given_a_quota_of_10_and_30_concurrent_enrolments_then_exactly_10_are_enrolled(
    on_postgres,
):
    study = services.stratum_quotas_set(study=gaube_study(), quotas={"radiology": 10})
    invited = services.invitations_create(study=study, count=30)
    for participant in invited:
        services.participant_consent(participant=participant, agreed=True)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def enrol(batch):
        try:
            barrier.wait()
            for participant in batch:
                services.participant_enrol(participant=participant, screening=RADIOLOGIST)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(invited[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = Counter(Participant.objects.filter(study=study).values_list("status", flat=True))
    assert statuses == {"in_progress": 10, "stratum_full": 20}
    slots = sorted(
        Participant.objects.filter(study=study, slot__isnull=False).values_list("slot", flat=True)
    )
    assert slots == list(range(10))
