"""study/selectors/lists.py: the API's lists in a stable order (pages never overlap) and each
filter keeping exactly what it names."""

import pytest

from study import services
from study.models import Job, Study
from study.selectors.lists import (
    studies_listed,
    study_audit_listed,
    study_jobs_listed,
    study_participants_listed,
)
from tests.factories import UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_given_studies_then_by_slug_and_of_one_status():
    gaube_study(slug="b-open")
    gaube_study(slug="a-draft", open_study=False)

    assert [s.slug for s in studies_listed(studies=Study.objects.all())] == ["a-draft", "b-open"]
    assert [s.slug for s in studies_listed(studies=Study.objects.all(), status="recruiting")] == [
        "b-open"
    ]


def test_given_participants_then_in_invitation_order_and_a_label_matches_its_start():
    study = gaube_study()
    first = services.links_create(study=study, count=2, label_prefix="UKE")
    other = services.links_create(study=study, count=1, label_prefix="UKEX")
    enrolled = enrolled_participant(study)

    assert [p.public_id for p in study_participants_listed(study=study)] == [
        *(p.public_id for p in first),
        other[0].public_id,
        enrolled.public_id,
    ]
    assert [p.label for p in study_participants_listed(study=study, label="UKE-")] == [
        "UKE-001",
        "UKE-002",
    ]
    assert list(study_participants_listed(study=study, status="in_progress")) == [enrolled]
    assert list(study_participants_listed(study=study, arm="nope")) == []


def test_given_jobs_then_newest_first_of_a_kind_and_status():
    study = gaube_study()
    older = Job.objects.create(public_id="J1", study=study, kind="report", status="done")
    newer = Job.objects.create(public_id="J2", study=study, kind="export")

    assert list(study_jobs_listed(study=study)) == [newer, older]
    assert list(study_jobs_listed(study=study, kind="report", status="done")) == [older]
    assert list(study_jobs_listed(study=study, kind="report", status="queued")) == []


def test_given_an_action_ending_in_a_dot_then_every_action_it_starts():
    owner = UserFactory(username="pi")
    study = gaube_study(owner=owner, open_study=False)
    services.study_open(study=study, actor=owner)
    services.study_close(study=study, actor=owner)

    assert [e.action for e in study_audit_listed(study=study, action="study.")] == [
        "study.close",
        "study.open",
    ]
    assert [e.action for e in study_audit_listed(study=study, action="study")] == []
