"""Cloning a study (study.services.designs.study_clone): the design, texts, cases with both
advice variants and their images, and the example library are copied; people and history not."""

import pytest
from django.core.exceptions import PermissionDenied

from study import services
from study.core import allocation
from study.demo import demo_study_create
from study.models import (
    Advice,
    AuditEvent,
    Case,
    DesignVersion,
    ExampleImage,
    Participant,
    Study,
)
from study.services.design_rules import DESIGN_FIELDS
from study.services.design_versions import design_document
from study.services.designs import study_clone
from tests.factories import UserFactory, enrolled_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="team")


@pytest.fixture
def source(owner):
    """The Gaube 2023 demo (annotations and confidences that differ between the variants),
    recruiting, with a case's feedback, an example image, participants, an open
    link and quotas."""
    study = demo_study_create(owner=owner, design="gaube2023")
    Case.objects.filter(study=study, code="C08").update(feedback="Look again.")
    case = Case.objects.get(study=study, code="C01")
    ExampleImage.objects.create(
        study=study,
        code="ex1",
        diagnosis="pneumonia",
        position=1,
        display_image=case.display_image.name,
        preview_image=case.preview_image.name,
        image_width=10,
        image_height=12,
    )
    study = services.self_enrolment_enable(study=study, actor=owner)
    services.stratum_quotas_set(study=study, quotas={"radiology": 5}, actor=owner)
    enrolled_participant(study)
    services.invitations_create(study=study, count=2, actor=owner)
    return Study.objects.get(pk=study.pk)


def _without_identity(document):
    """The design document without what a clone changes: its title, slug and seed."""
    document = dict(document)
    document["texts"] = {k: v for k, v in document["texts"].items() if k != "title"}
    document["design"] = {k: v for k, v in document["design"].items() if k not in ("slug", "seed")}
    return document


def _cases(study):
    return [
        (
            case.code,
            case.is_training,
            case.feedback,
            case.vignette,
            case.reference_diagnosis,
            case.dicom_file.name,
            case.display_image.name,
            case.preview_image.name,
            case.thumbnail_image.name,
            case.window_presets,
            case.review_status,
            [
                (a.variant, a.findings, a.diagnosis, a.annotation, a.displayed_confidence)
                for a in case.advice.order_by("variant")
            ],
        )
        for case in study.cases.order_by("position", "code")
    ]


def test_the_clone_has_the_design_cases_images_and_examples(source, owner):
    clone = study_clone(study=source, title="Second wave", slug="second-wave", owner=owner)
    clone.refresh_from_db()
    assert (clone.title, clone.slug, clone.status) == ("Second wave", "second-wave", "draft")
    for name in set(DESIGN_FIELDS) - {"slug", "seed"}:
        assert getattr(clone, name) == getattr(source, name), name
    assert clone.seed != source.seed
    assert (clone.consent_text, clone.debrief_text, clone.description) == (
        source.consent_text,
        source.debrief_text,
        source.description,
    )
    assert _cases(clone) == _cases(source)
    assert len(_cases(clone)) == 8
    accurate, inaccurate = Advice.objects.filter(case__study=clone, case__code="C01").order_by(
        "variant"
    )
    assert accurate.annotation != inaccurate.annotation
    assert (accurate.displayed_confidence, inaccurate.displayed_confidence) == (91, 72)
    assert list(clone.examples.values_list("code", "diagnosis", "display_image")) == list(
        source.examples.values_list("code", "diagnosis", "display_image")
    )
    assert _without_identity(design_document(study=clone)) == _without_identity(
        design_document(study=source)
    )
    assert design_document(study=clone)["design"]["seed"] == clone.seed


def test_the_clone_has_no_people_and_no_history(source, owner):
    clone = study_clone(study=source, title="Copy", slug="copy", owner=owner)
    assert Participant.objects.filter(study=source).count() == 3
    assert Participant.objects.filter(study=clone).count() == 0
    clone.refresh_from_db()
    assert clone.self_enrolment_token is None
    assert clone.stratum_quotas == {}
    assert clone.design_locked_at is None
    assert clone.design_hash == ""
    assert DesignVersion.objects.filter(study=clone).count() == 0
    assert list(clone.memberships.values_list("user__username", "role")) == [("team", "owner")]
    actions = list(AuditEvent.objects.filter(study=clone).values_list("action", flat=True))
    assert "participant.enrol" not in actions
    assert "self_enrolment.enable" not in actions


def test_the_clone_is_audited_in_both_studies(source, owner):
    study_clone(study=source, title="Copy", slug="copy", owner=owner)
    (in_source,) = AuditEvent.objects.filter(study=source, action="study.clone")
    (in_clone,) = AuditEvent.objects.filter(study__slug="copy", action="study.clone")
    assert in_source.detail == {"source": source.slug, "target": "copy"}
    assert in_clone.detail == {"source": source.slug, "target": "copy", "cases": 8, "examples": 1}


def test_the_clone_of_a_demo_opens_once_its_cases_are_there(source, owner):
    clone = study_clone(study=source, title="Copy", slug="copy", owner=owner)
    opened = services.study_open(study=clone, actor=owner)
    assert opened.status == "recruiting"


def test_a_viewer_cannot_clone(source):
    viewer = UserFactory(username="viewer")
    source.memberships.create(user=viewer, role="viewer")
    with pytest.raises(PermissionDenied) as error:
        study_clone(study=source, title="Copy", slug="copy", owner=viewer)
    assert str(error.value) == "Only an owner or collaborator of study 'gaube-2023' can clone it."
    assert not Study.objects.filter(slug="copy").exists()


def test_a_taken_slug_is_refused_and_nothing_is_copied(source, owner):
    with pytest.raises(allocation.DesignError) as error:
        study_clone(study=source, title="Copy", slug=source.slug, owner=owner)
    assert str(error.value) == "“gaube-2023” is already used by another study."
    assert Study.objects.count() == 1


def test_training_cases_and_their_feedback_are_cloned(owner):
    source = demo_study_create(owner=owner, design="dratsch2023")
    clone = study_clone(study=source, title="Copy", slug="copy", owner=owner)
    training = list(
        clone.cases.filter(is_training=True).order_by("code").values_list("code", "feedback")
    )
    assert [code for code, _feedback in training] == ["T01", "T02"]
    assert all(feedback for _code, feedback in training)
    assert _cases(clone) == _cases(source)
    assert services.study_open(study=clone, actor=owner).status == "recruiting"
