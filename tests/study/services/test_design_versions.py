"""Design versions: a live hash while drafting, version 1 at the lock, amendments after it."""

import unicodedata

import pytest
from django.utils import timezone

from study import services
from study.core.allocation import DesignError
from study.core.design_document import document_hash
from study.models import Advice, Arm, AuditEvent, Case, DesignVersion, DiagnosisOption, Study
from study.services.amendments import AmendmentError, design_amend
from study.services.synthetic import study_pilot_mode_set
from tests.factories import INTERNIST, UserFactory, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db


def _hash(study: Study) -> str:
    return services.study_design_hash(study=Study.objects.get(pk=study.pk))


def _first_case(study: Study) -> Case:
    return study.cases.order_by("position").first()


# Each edit changes one thing a participant sees (or is allocated by) in a draft study.
PARTICIPANT_VISIBLE = {
    "title": lambda s: Study.objects.filter(pk=s.pk).update(title="Another title"),
    "description": lambda s: Study.objects.filter(pk=s.pk).update(description="Now with one."),
    "consent_text": lambda s: Study.objects.filter(pk=s.pk).update(consent_text="Consent v2."),
    "debrief_text": lambda s: Study.objects.filter(pk=s.pk).update(debrief_text="Debrief v2."),
    "arm label": lambda s: Arm.objects.filter(study=s, code="ai").update(label="RADIO-AI"),
    "arm persona": lambda s: Arm.objects.filter(study=s, code="ai").update(persona="New."),
    "diagnosis label": lambda s: DiagnosisOption.objects.filter(study=s, code="pneumonia").update(
        label="Pneumonia (community-acquired)"
    ),
    "vignette": lambda s: Case.objects.filter(pk=_first_case(s).pk).update(vignette="Other."),
    "advice findings": lambda s: Advice.objects.filter(case=_first_case(s)).update(
        findings="Other findings."
    ),
    "image": lambda s: Case.objects.filter(pk=_first_case(s).pk).update(
        dicom_file="cases/dicom/0123456789abcdef01234567.dcm"
    ),
    "displayed confidence": lambda s: Advice.objects.filter(case=_first_case(s)).update(
        displayed_confidence=87.0
    ),
    "rating scale": lambda s: Study.objects.filter(pk=s.pk).update(rating_scale_max=5),
    "read then reveal": lambda s: Study.objects.filter(pk=s.pk).update(read_then_reveal=True),
    "seed": lambda s: Study.objects.filter(pk=s.pk).update(seed=7),
    "stratum map": lambda s: Study.objects.filter(pk=s.pk).update(stratum_map={"radiology": "r"}),
}


@pytest.mark.parametrize("edit", PARTICIPANT_VISIBLE.values(), ids=PARTICIPANT_VISIBLE.keys())
def test_given_a_draft_when_anything_a_participant_sees_changes_then_the_live_hash_changes(edit):
    study = gaube_study(open_study=False)
    before = _hash(study)
    edit(study)
    assert _hash(study) != before


def test_given_a_draft_when_recruitment_settings_change_then_the_live_hash_stays():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, open_study=False)
    before = _hash(study)
    services.stratum_quotas_set(study=study, quotas={"radiology": 138}, actor=owner)
    study_pilot_mode_set(study=study, enabled=True, actor=owner)
    services.self_enrolment_enable(study=study, actor=owner)
    Study.objects.filter(pk=study.pk).update(abandon_after_minutes=60, reissue_after_minutes=30)
    study.refresh_from_db()
    assert (study.stratum_quotas, study.pilot_mode, study.abandon_after_minutes) == (
        {"radiology": 138},
        True,
        60,
    )
    assert _hash(study) == before


def test_given_texts_stored_with_crlf_or_nfd_then_the_hash_is_that_of_lf_and_nfc():
    study = gaube_study(open_study=False)
    consent = "Sie nehmen teil.\nDie Befunde wurden überprüft."
    Study.objects.filter(pk=study.pk).update(consent_text=consent)
    clean = _hash(study)
    crlf_nfd = unicodedata.normalize("NFD", consent.replace("\n", "\r\n")) + "\r\n"
    Study.objects.filter(pk=study.pk).update(consent_text=crlf_nfd)
    assert _hash(study) == clean


def test_given_the_unchanged_settings_posted_back_with_crlf_then_nothing_changes():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, open_study=False)
    services.study_design_update(study=study, actor=owner, consent_text="One.\nTwo.")
    before, events = _hash(study), AuditEvent.objects.count()

    services.study_design_update(
        study=study,
        actor=owner,
        title=study.title,
        consent_text="One.\r\nTwo.\r\n",  # as a browser posts the textarea
        debrief_text=unicodedata.normalize("NFD", study.debrief_text),
    )

    assert AuditEvent.objects.count() == events
    assert _hash(study) == before
    assert Study.objects.get(pk=study.pk).consent_text == "One.\nTwo."


def test_given_a_text_with_crlf_when_saved_then_it_is_stored_with_lf_and_nfc():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner, open_study=False)
    services.study_design_update(
        study=study, actor=owner, consent_text=unicodedata.normalize("NFD", "Für Sie.\r\n\r\n")
    )
    assert Study.objects.get(pk=study.pk).consent_text == "Für Sie."
    with pytest.raises(DesignError) as refusal:
        services.study_design_update(study=study, actor=owner, debrief_text=None)
    assert str(refusal.value) == "debrief_text: must be a text, got None"


def test_given_the_first_enrolment_then_version_1_has_the_hash_shown_while_drafting():
    study = gaube_study()
    shown = _hash(study)

    participant = enrolled_participant(study)

    study.refresh_from_db()
    version = DesignVersion.objects.get(study=study)
    assert (version.version, version.sha256, version.reason, version.actor) == (1, shown, "", None)
    assert study.design_hash == shown
    assert document_hash(version.document) == shown  # the stored document is what was hashed
    assert participant.design_version == 1
    assert AuditEvent.objects.get(study=study, action="study.design_locked").detail == {
        "design_hash": shown,
        "version": 1,
    }


def test_given_a_locked_design_when_consent_changes_without_a_reason_then_it_is_refused():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    events = AuditEvent.objects.count()

    with pytest.raises(services.StudyStateError) as refusal:
        services.study_design_update(study=study, actor=owner, consent_text="Corrected.")
    assert str(refusal.value) == (
        f"The design of study '{study.slug}' is locked since the first enrolment "
        f"({study.design_locked_at:%Y-%m-%d %H:%M} UTC, hash {study.design_hash[:12]}): "
        "consent_text can change only by an amendment that gives a reason."
    )
    for reason in ("", "  \r\n "):
        with pytest.raises(AmendmentError) as refusal:
            design_amend(study=study, actor=owner, reason=reason, consent_text="Corrected.")
        assert refusal.value.field == "reason"
        assert str(refusal.value).startswith("reason: an amendment after the first enrolment")

    assert Study.objects.get(pk=study.pk).consent_text == "Please consent."
    assert DesignVersion.objects.filter(study=study).count() == 1
    assert AuditEvent.objects.count() == events


def test_given_a_locked_design_when_consent_is_amended_with_a_reason_then_version_2_applies():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    first = enrolled_participant(study)
    study.refresh_from_db()
    locked_hash = study.design_hash

    design_amend(
        study=study,
        actor=owner,
        reason="The ethics board asked for the contact address.\r\n",
        consent_text="Please consent. Contact: study@example.org",
    )

    study.refresh_from_db()
    v1, v2 = DesignVersion.objects.filter(study=study).order_by("version")
    assert (v1.sha256, v2.version, v2.actor, v2.reason) == (
        locked_hash,
        2,
        owner,
        "The ethics board asked for the contact address.",
    )
    assert v2.sha256 != locked_hash
    assert study.design_hash == v2.sha256 == _hash(study)
    assert v2.document["texts"]["consent_text"] == "Please consent. Contact: study@example.org"
    event = AuditEvent.objects.get(study=study, action="study.design_amended")
    assert (event.actor, event.detail) == (
        owner,
        {
            "version": 2,
            "sha256": v2.sha256,
            "reason": "The ethics board asked for the contact address.",
            "fields": ["consent_text"],
        },
    )
    second = enrolled_participant(study, INTERNIST)
    first.refresh_from_db()
    assert (first.design_version, second.design_version) == (1, 2)


def test_given_a_locked_design_when_an_amendment_touches_the_allocation_then_it_is_refused():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()

    with pytest.raises(services.StudyStateError) as refusal:
        design_amend(study=study, actor=owner, reason="More power", seed=7, title="Renamed")

    assert str(refusal.value).endswith(": seed cannot change.")
    study.refresh_from_db()
    assert (study.seed, study.title) == (12345, study.title)
    assert study.title != "Renamed"
    assert DesignVersion.objects.filter(study=study).count() == 1


def test_given_an_amendment_that_changes_nothing_then_no_version_is_recorded():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    events = AuditEvent.objects.count()

    design_amend(study=study, actor=owner, reason="Resubmitted", consent_text="Please consent.\r\n")

    assert DesignVersion.objects.filter(study=study).count() == 1
    assert AuditEvent.objects.count() == events


def test_given_a_draft_then_an_amendment_is_refused_as_not_needed():
    owner = UserFactory(username="owner")
    study = gaube_study(owner=owner)
    with pytest.raises(services.StudyStateError) as refusal:
        design_amend(study=study, actor=owner, reason="Early fix", title="Renamed")
    assert str(refusal.value) == (
        f"Study '{study.slug}' has no enrolled participant yet: its design is still a draft "
        "and changes without an amendment."
    )


def test_given_a_study_locked_before_versions_were_kept_then_its_version_1_is_recorded():
    study = gaube_study()
    # As the code before design versions locked a study: a lock time and a hash, no version.
    Study.objects.filter(pk=study.pk).update(design_locked_at=timezone.now(), design_hash="0" * 64)
    study.refresh_from_db()

    later = enrolled_participant(study, INTERNIST)

    study.refresh_from_db()
    version = DesignVersion.objects.get(study=study)
    assert (later.design_version, version.version, study.design_hash) == (1, 1, version.sha256)
    event = AuditEvent.objects.get(study=study, action="study.design_version_recorded")
    assert event.detail == {
        "version": 1,
        "sha256": version.sha256,
        "previous_design_hash": "0" * 64,
    }


def test_given_a_locked_design_then_a_new_case_is_refused_and_nothing_is_stored():
    from study import services
    from study.models import Case
    from tests.factories import enrolled_participant, gaube_study

    study = gaube_study()
    enrolled_participant(study)
    before = Case.objects.filter(study=study).count()
    with pytest.raises(ValueError) as caught:
        services.case_create(
            study=study,
            case_input=services.CaseInput(
                code="C99",
                vignette="Late addition.",
                reference_diagnosis="normal",
                accurate=services.AdviceInput("No finding.", "normal"),
                inaccurate=services.AdviceInput("A mass.", "lung_mass"),
                position=99,
            ),
        )
    assert str(caught.value) == (
        f"case C99: the design of study '{study.slug}' is locked by its first enrolment; "
        "cases cannot be added any more"
    )
    assert Case.objects.filter(study=study).count() == before
