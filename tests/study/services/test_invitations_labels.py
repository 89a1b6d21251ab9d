"""study/services/invitations.py's labels: PREFIX-001, PREFIX-002, ... continuing after the
study's earlier links of the prefix, per study; a prefix that could not fit is refused."""

import pytest

from study import services
from study.models import AuditEvent
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def test_given_a_prefix_then_labels_continue_after_the_earlier_batch():
    study = gaube_study()
    other = gaube_study(slug="other")

    first = services.invitations_create(study=study, count=2, label_prefix="UKE")
    second = services.invitations_create(study=study, count=1, label_prefix="UKE")
    elsewhere = services.invitations_create(study=other, count=1, label_prefix="UKE")
    unlabelled = services.invitations_create(study=study, count=1)

    assert [p.label for p in first + second] == ["UKE-001", "UKE-002", "UKE-003"]
    assert [p.label for p in elsewhere] == ["UKE-001"]
    assert [p.label for p in unlabelled] == [""]
    events = AuditEvent.objects.filter(study=study, action="invitations.create").order_by("id")
    assert [e.detail for e in events] == [
        {"count": 2, "label_prefix": "UKE"},
        {"count": 1, "label_prefix": "UKE"},
        {"count": 1},
    ]


def test_given_a_too_long_prefix_then_nothing_is_made():
    study = gaube_study()

    with pytest.raises(ValueError) as refusal:
        services.invitations_create(study=study, count=1, label_prefix="x" * 93)

    assert str(refusal.value) == "label prefix must be at most 92 characters"
    assert study.participants.count() == 0
