"""services.links: labelled batches, revoking unused links, re-labelling; each audited by public
id, never by token."""

import pytest

from study import services
from study.models import AuditEvent, Participant
from study.services.links import LinkNotFound
from tests.factories import enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def test_links_are_labelled_from_001_and_a_second_batch_goes_on_counting():
    study = gaube_study()
    first = services.links_create(study=study, count=3, label_prefix="Site A")
    second = services.links_create(study=study, count=2, label_prefix="Site A")
    other = services.links_create(study=study, count=1, label_prefix="Site B")
    assert [p.label for p in first] == ["Site A-001", "Site A-002", "Site A-003"]
    assert [p.label for p in second] == ["Site A-004", "Site A-005"]
    assert [p.label for p in other] == ["Site B-001"]
    assert len({p.token for p in first + second + other}) == 6
    event = AuditEvent.objects.filter(action="invitations.create").order_by("pk").first()
    assert event.detail == {
        "count": 3,
        "label_prefix": "Site A",
        "first": "Site A-001",
        "last": "Site A-003",
    }
    assert all(p.token not in str(e.detail) for e in AuditEvent.objects.all() for p in first)


def test_links_without_a_prefix_have_no_label():
    study = gaube_study()
    assert [p.label for p in services.links_create(study=study, count=2)] == ["", ""]


@pytest.mark.parametrize(
    ("count", "prefix", "message"),
    [
        (0, "", "between 1 and 10000, got 0"),
        (10_001, "", "between 1 and 10000, got 10001"),
        (1, "a" * 93, "at most 92 characters, got 93"),
        (1, "bad;prefix", "letters, digits, spaces"),
    ],
)
def test_bad_batches_are_refused_with_the_reason(count, prefix, message):
    study = gaube_study()
    with pytest.raises(services.LinkRefused, match=message):
        services.links_create(study=study, count=count, label_prefix=prefix)
    assert not Participant.objects.filter(study=study).exists()


def test_a_closed_study_gets_no_new_links():
    study = services.study_close(study=gaube_study())
    with pytest.raises(services.LinkRefused, match="is closed"):
        services.links_create(study=study, count=1)


def test_revoking_an_unused_link_marks_it_revoked_and_audits_the_public_id():
    study = gaube_study()
    (link,) = services.links_create(study=study, count=1)
    revoked = services.link_revoke(study=study, public_id=link.public_id)
    revoked.refresh_from_db()
    assert revoked.status == Participant.Status.REVOKED
    assert revoked.revoked_at is not None
    event = AuditEvent.objects.get(action="link.revoke")
    assert event.participant_public_id == link.public_id
    assert link.token not in str(event.detail)


def test_a_used_link_cannot_be_revoked():
    study = gaube_study()
    participant = enrolled_participant(study)
    with pytest.raises(services.LinkRefused, match=r"has been used \(in progress\).*withdraw"):
        services.link_revoke(study=study, public_id=participant.public_id)
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS


def test_revoking_twice_says_it_is_already_revoked():
    study = gaube_study()
    (link,) = services.links_create(study=study, count=1)
    services.link_revoke(study=study, public_id=link.public_id)
    with pytest.raises(services.LinkRefused, match="already revoked"):
        services.link_revoke(study=study, public_id=link.public_id)


def test_another_studys_link_is_not_found():
    study, other = gaube_study(), gaube_study()
    (link,) = services.links_create(study=other, count=1)
    with pytest.raises(LinkNotFound, match="No link"):
        services.link_revoke(study=study, public_id=link.public_id)
    with pytest.raises(LinkNotFound, match="No link"):
        services.link_relabel(study=study, public_id=link.public_id, label="x")


def test_relabel_stores_the_stripped_label_and_audits_old_and_new():
    study = gaube_study()
    (link,) = services.links_create(study=study, count=1, label_prefix="A")
    services.link_relabel(study=study, public_id=link.public_id, label="  Ward 3 ")
    link.refresh_from_db()
    assert link.label == "Ward 3"
    event = AuditEvent.objects.get(action="link.relabel")
    assert event.detail == {"from": "A-001", "to": "Ward 3"}
    assert event.participant_public_id == link.public_id


@pytest.mark.parametrize(
    ("label", "message"), [("x" * 101, "at most 100"), ("a\tb", "control characters")]
)
def test_bad_labels_are_refused(label, message):
    study = gaube_study()
    (link,) = services.links_create(study=study, count=1)
    with pytest.raises(services.LinkRefused, match=message):
        services.link_relabel(study=study, public_id=link.public_id, label=label)
