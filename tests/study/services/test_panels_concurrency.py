"""Concurrent enrolment of one panel id on PostgreSQL: one participant, every request gets it."""

import threading

import pytest
from django.db import connection, connections

from study import services
from study.core import panels
from study.models import AuditEvent, Participant
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db(transaction=True)

PID = "5f3a9c0e1b2d4e6f7a8b9c0d"


def test_given_8_simultaneous_enrolments_of_one_panel_id_then_one_participant_is_returned_to_all(
    on_postgres,
):
    study = services.self_enrolment_enable(study=gaube_study())
    study = services.panel_settings_set(
        study=study, config=panels.PanelConfig(id_param="PROLIFIC_PID")
    )
    threads = 8
    barrier = threading.Barrier(threads)
    results: list[int] = []
    errors: list[BaseException] = []

    def enrol():
        try:
            barrier.wait()
            participant = services.participant_self_enrol(
                study=study, panel=services.PanelValues(external_id=PID)
            )
            results.append(participant.pk)
        except BaseException as error:  # surfaced below: a thread must not fail silently
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=enrol) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert connection.vendor == "postgresql"
    assert errors == []
    (participant,) = Participant.objects.filter(study=study)
    assert participant.external_id == PID
    assert results == [participant.pk] * threads
    assert AuditEvent.objects.filter(action="participant.self_enrol").count() == 1
