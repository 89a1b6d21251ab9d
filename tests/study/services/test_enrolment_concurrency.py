"""Concurrent enrolment on PostgreSQL: the stratum row lock gives distinct consecutive slots."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from study import services
from study.core import allocation
from study.models import Participant
from tests.factories import RADIOLOGIST, gaube_study

pytestmark = pytest.mark.django_db(transaction=True)


def _enrol_concurrently(study, *, participants: int, threads: int) -> list[BaseException]:
    """Consent `participants` invitations, then enrol them from `threads` connections at once."""
    invited = services.invitations_create(study=study, count=participants)
    for participant in invited:
        services.participant_consent(participant=participant, agreed=True)
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def enrol(batch):
        try:
            barrier.wait()
            for participant in batch:
                services.participant_enrol(participant=participant, screening=RADIOLOGIST)
        except BaseException as error:  # surfaced by the caller: a thread must not fail silently
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=enrol, args=(invited[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_given_100_concurrent_enrolments_then_slots_are_distinct_consecutive_and_balanced(
    on_postgres,
):
    study = gaube_study()

    errors = _enrol_concurrently(study, participants=100, threads=10)

    assert connection.vendor == "postgresql"
    assert errors == []
    enrolled = list(Participant.objects.filter(study=study).select_related("arm"))
    assert sorted(p.slot for p in enrolled) == list(range(100))
    assert Counter(p.arm.code for p in enrolled) == {"ai": 50, "human": 50}
    spec = services.study_design_spec(study=study)
    for participant in enrolled:
        expected = allocation.slot_assignment(spec, stratum="radiology", slot=participant.slot)
        assert participant.arm.code == expected.arm
        assert participant.trials.count() == 8
        assert participant.trials.filter(advice__variant="inaccurate").count() == 2


def test_given_a_quota_of_10_and_30_concurrent_enrolments_then_exactly_10_are_enrolled(
    on_postgres,
):
    study = services.stratum_quotas_set(study=gaube_study(), quotas={"radiology": 10})

    errors = _enrol_concurrently(study, participants=30, threads=6)

    assert errors == []
    statuses = Counter(Participant.objects.filter(study=study).values_list("status", flat=True))
    assert statuses == {"in_progress": 10, "stratum_full": 20}
    slots = sorted(
        Participant.objects.filter(study=study, slot__isnull=False).values_list("slot", flat=True)
    )
    assert slots == list(range(10))
