"""Study builder: the design freezes at the first enrolment; after it, texts change only by an
amendment with a reason, and nothing else changes."""

from functools import partial

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from study import services
from study.console.amendment_forms import REASON_REQUIRED
from study.core import vocabulary
from study.core.allocation import DesignError
from study.core.design_document import text_normalise
from study.models import AuditEvent, Study
from study.services.amendments import design_amend
from study.services.builder import (
    DESIGN_FIELDS,
    EDITABLE_FIELDS,
    TEXT_FIELDS,
)
from study.services.design_rules import REQUIRED_TEXTS
from tests.factories import enrolled_participant, gaube_study
from tests.study.console.builder_steps import page, settings_post

pytestmark = pytest.mark.django_db


def test_given_a_locked_design_when_a_design_field_changes_then_it_is_refused_and_nothing_changes(
    owner,
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    events_before, title_before = AuditEvent.objects.count(), study.title
    with pytest.raises(services.StudyStateError) as refusal:
        services.study_design_update(
            study=study, actor=owner, inaccurate_per_participant=3, title="Renamed"
        )
    assert str(refusal.value) == (
        f"The design of study '{study.slug}' is locked since the first enrolment "
        f"({study.design_locked_at:%Y-%m-%d %H:%M} UTC, hash {study.design_hash[:12]}): "
        "inaccurate_per_participant cannot change."
    )
    study.refresh_from_db()
    assert (study.inaccurate_per_participant, study.title) == (2, title_before)
    assert AuditEvent.objects.count() == events_before


def test_given_a_locked_design_then_the_page_shows_the_hash_and_a_crafted_post_changes_nothing(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    url = reverse("console:design", args=[study.slug])
    shown = page(owner_client.get(url))
    assert study.design_hash in shown
    assert 'name="inaccurate_per_participant"' not in shown
    assert 'name="consent_text"' in shown
    owner_client.post(url, settings_post(study, inaccurate_per_participant=3, seed=1))
    study.refresh_from_db()
    assert (study.inaccurate_per_participant, study.seed) == (2, 12345)
    assert not study.audit_events.filter(action="study.edit").exists()


@pytest.mark.parametrize(
    ("url_name", "args", "data"),
    [
        ("console:arm_add", [], {"code": "x", "advice_source": "ai", "label": "X", "weight": "1"}),
        ("console:arm_delete", ["ai"], {}),
        ("console:diagnosis_add", [], {"code": "x", "label": "X", "position": "0"}),
        ("console:diagnosis_delete", ["tuberculosis"], {}),
    ],
)
def test_given_a_locked_design_when_arms_or_diagnoses_change_then_refused(
    owner_client, owner, url_name, args, data
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    response = owner_client.post(reverse(url_name, args=[study.slug, *args]), data, follow=True)
    assert "locked since the first enrolment" in page(response)
    assert study.arms.count() == 2
    assert study.diagnoses.count() == 10


def test_given_a_locked_design_when_texts_change_with_a_reason_then_they_are_an_amendment(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    response = owner_client.post(
        reverse("console:design", args=[study.slug]),
        settings_post(
            study, title="Do as AI say", consent_text="Corrected consent.", reason="Typo"
        ),
    )
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.title, study.consent_text) == ("Do as AI say", "Corrected consent.")
    event = study.audit_events.get(action="study.design_amended")
    assert event.detail["fields"] == ["consent_text", "title"]
    assert (event.detail["version"], event.detail["reason"]) == (2, "Typo")
    assert event.actor == owner
    assert not study.audit_events.filter(action="study.edit").exists()


def test_given_a_locked_design_when_texts_change_without_a_reason_then_the_form_says_so(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    response = owner_client.post(
        reverse("console:design", args=[study.slug]),
        settings_post(study, consent_text="Corrected consent.", reason="  "),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": [REASON_REQUIRED]}
    assert REASON_REQUIRED in page(response)
    study.refresh_from_db()
    assert study.consent_text == "Please consent."
    assert study.design_versions.count() == 1


def test_given_a_recruiting_study_before_any_enrolment_when_the_last_arm_goes_then_refused(
    owner,
):
    study = gaube_study(owner=owner)
    services.arm_delete(arm=study.arms.get(code="human"), actor=owner)
    with pytest.raises(DesignError) as refusal:
        services.arm_delete(arm=study.arms.get(code="ai"), actor=owner)
    assert str(refusal.value) == "arms: at least one arm is required"
    assert list(study.arms.values_list("code", flat=True)) == ["ai"]


@pytest.fixture
def locked_study(owner):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    return study


UNCHANGED = "<unchanged>"  # a value the test replaces with the study's current one
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
_EDITS = st.fixed_dictionaries(
    {},
    optional={
        "title": _TEXT,
        "description": _TEXT,
        "consent_text": _TEXT,
        "debrief_text": _TEXT,
        "slug": st.sampled_from([UNCHANGED, "renamed"]),
        "cases_per_participant": st.integers(1, 8),
        "inaccurate_per_participant": st.integers(0, 3),
        "order_policy": st.sampled_from(["random", "fixed"]),
        "read_then_reveal": st.booleans(),
        "seed": st.sampled_from([12345, 7]),
        "stratum_map": st.sampled_from([vocabulary.DEFAULT_STRATUM_MAP, {"radiology": "all"}]),
    },
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=_EDITS)
def test_given_a_locked_design_then_any_edit_changes_texts_only_by_an_amendment_or_nothing(
    locked_study, owner, edits
):
    stored = Study.objects.get(pk=locked_study.pk)
    before = {name: getattr(stored, name) for name in EDITABLE_FIELDS}
    versions_before = stored.design_versions.count()
    edits = {name: before[name] if value == UNCHANGED else value for name, value in edits.items()}
    # Texts are compared and stored in one spelling (NFC, LF, no trailing whitespace).
    edits = {n: text_normalise(v) if n in TEXT_FIELDS else v for n, v in edits.items()}
    changed = [n for n in edits if edits[n] != before[n]]
    design_changes = [n for n in changed if n in DESIGN_FIELDS]
    emptied = [n for n in REQUIRED_TEXTS if edits.get(n) == ""]  # e.g. a title of spaces
    if emptied:  # refused before anything else, by either way in
        for change in (services.study_design_update, partial(design_amend, reason="Fix")):
            with pytest.raises(DesignError, match=r": must not be empty$"):
                change(study=locked_study, actor=owner, **edits)
        assert {n: getattr(Study.objects.get(pk=locked_study.pk), n) for n in before} == before
        return
    if changed:  # without a reason, no change at all is accepted after the lock
        with pytest.raises(services.StudyStateError):
            services.study_design_update(study=locked_study, actor=owner, **edits)
    else:
        services.study_design_update(study=locked_study, actor=owner, **edits)
    assert {name: getattr(Study.objects.get(pk=locked_study.pk), name) for name in before} == before
    if design_changes:
        with pytest.raises(services.StudyStateError):
            design_amend(study=locked_study, actor=owner, reason="Correction", **edits)
        expected = before
    else:
        design_amend(study=locked_study, actor=owner, reason="Correction", **edits)
        expected = {**before, **{n: edits[n] for n in TEXT_FIELDS if n in edits}}
    after = Study.objects.get(pk=locked_study.pk)
    assert {name: getattr(after, name) for name in EDITABLE_FIELDS} == expected
    amended = bool(changed) and not design_changes
    assert after.design_versions.count() == versions_before + amended
    assert after.design_hash == services.study_design_hash(study=after)
