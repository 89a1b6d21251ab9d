"""The design hash in the console: live while drafting, frozen at the first enrolment, and
each amendment after it a new design version with its reason."""

import re

import pytest
from django.urls import reverse

from study import services
from study.models import AuditEvent, DesignVersion, Study
from tests.factories import INTERNIST, UserFactory, enrolled_participant, gaube_study
from tests.study.console.builder_steps import page, settings_post

pytestmark = pytest.mark.django_db


def _design_page_hash(client, study: Study) -> str:
    shown = page(client.get(reverse("console:design", args=[study.slug])))
    (found,) = re.findall(r'id="design-hash"[^>]*>([0-9a-f]{64})</code>', shown)
    return found


def _detail_page_hash(client, study: Study) -> tuple[str, str]:
    """The full hash (in the title attribute) and the sentence around it on the study page."""
    shown = page(client.get(reverse("console:study", args=[study.slug])))
    (line,) = [line for line in shown.splitlines() if 'id="design-hash"' in line]
    (found,) = re.findall(r'id="design-hash" title="([0-9a-f]{64})"', line)
    return found, line


def test_given_a_draft_then_both_pages_show_the_live_hash_as_changing_with_the_design(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    live = services.study_design_hash(study=study)

    design_page = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert _design_page_hash(owner_client, study) == live
    assert "Design hash (live, changes as the design changes until the first enrolment)" in (
        design_page
    )
    shown, line = _detail_page_hash(owner_client, study)
    assert shown == live
    assert "design hash (live, changes as the design changes)" in line

    services.arm_save(
        study=study,
        actor=owner,
        arm=study.arms.get(code="ai"),
        code="ai",
        advice_source="ai",
        label="RADIO-AI",
    )

    changed = _design_page_hash(owner_client, study)
    assert changed != live
    assert changed == services.study_design_hash(study=study)
    assert _detail_page_hash(owner_client, study)[0] == changed


def test_given_the_design_form_saved_unchanged_with_browser_line_endings_then_nothing_changes(
    owner_client, owner
):
    study = gaube_study(owner=owner, open_study=False)
    url = reverse("console:design", args=[study.slug])
    owner_client.post(url, settings_post(study, consent_text="Line one.\r\n\r\nLine two."))
    study.refresh_from_db()
    assert study.consent_text == "Line one.\n\nLine two."
    before, events = _design_page_hash(owner_client, study), AuditEvent.objects.count()

    # A browser posts every textarea back with CRLF line endings.
    posted = settings_post(study)
    posted = {name: value.replace("\n", "\r\n") for name, value in posted.items()}
    response = owner_client.post(url, posted)

    assert response.status_code == 302
    assert AuditEvent.objects.count() == events
    assert _design_page_hash(owner_client, study) == before
    assert Study.objects.get(pk=study.pk).consent_text == "Line one.\n\nLine two."


def test_given_the_hash_shown_before_opening_then_the_lock_makes_it_version_1(owner_client, owner):
    study = gaube_study(owner=owner, open_study=False)
    shown_while_drafting = _design_page_hash(owner_client, study)
    owner_client.post(reverse("console:study_open", args=[study.slug]))

    participant = enrolled_participant(Study.objects.get(pk=study.pk))

    version = DesignVersion.objects.get(study=study)
    assert (version.version, version.sha256) == (1, shown_while_drafting)
    assert participant.design_version == 1
    design_page = page(owner_client.get(reverse("console:design", args=[study.slug])))
    assert "Design hash (frozen, version 1)" in design_page
    assert _design_page_hash(owner_client, study) == shown_while_drafting
    assert "the design at the first enrolment" in design_page
    shown, line = _detail_page_hash(owner_client, study)
    assert shown == shown_while_drafting
    assert "version 1, hash (frozen)" in line


def test_given_a_locked_design_when_consent_is_amended_in_the_builder_then_version_2_applies(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    first = enrolled_participant(study)
    study.refresh_from_db()
    url = reverse("console:design", args=[study.slug])
    locked_hash = _design_page_hash(owner_client, study)

    refused = owner_client.post(url, settings_post(study, consent_text="Corrected."))
    assert refused.status_code == 400
    assert 'class="error" id="id_reason_error"' in page(refused)
    assert DesignVersion.objects.filter(study=study).count() == 1

    response = owner_client.post(
        url,
        settings_post(study, consent_text="Corrected.", reason="Ethics board: contact added"),
        follow=True,
    )

    study.refresh_from_db()
    v2 = DesignVersion.objects.get(study=study, version=2)
    assert study.consent_text == "Corrected."
    assert v2.sha256 == study.design_hash != locked_hash
    shown = page(response)
    assert f"Amendment saved as design version 2 (hash {v2.sha256})." in shown
    assert "Design hash (frozen, version 2)" in shown
    assert "Ethics board: contact added" in shown
    assert _design_page_hash(owner_client, study) == v2.sha256
    second = enrolled_participant(study, INTERNIST)
    first.refresh_from_db()
    assert (first.design_version, second.design_version) == (1, 2)


def test_given_a_locked_design_when_the_form_is_saved_unchanged_with_a_reason_then_no_version(
    owner_client, owner
):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    study.refresh_from_db()
    events = AuditEvent.objects.count()

    response = owner_client.post(
        reverse("console:design", args=[study.slug]),
        settings_post(study, reason="Checked, nothing to fix"),
        follow=True,
    )

    assert "Nothing changed: no amendment was recorded." in page(response)
    assert DesignVersion.objects.filter(study=study).count() == 1
    assert AuditEvent.objects.count() == events


def test_given_a_viewer_then_the_hash_is_shown_without_an_amendment_form(client, owner):
    study = gaube_study(owner=owner)
    enrolled_participant(study)
    viewer = UserFactory(username="viewer")
    services.membership_add(study=study, actor=owner, username="viewer", role="viewer")
    client.force_login(viewer)

    shown = page(client.get(reverse("console:design", args=[study.slug])))

    assert Study.objects.get(pk=study.pk).design_hash in shown
    assert 'name="reason"' not in shown
    assert client.post(reverse("console:design", args=[study.slug]), {}).status_code == 403
