"""The console's panel page: presets, another panel's own names, refusals as a 400 naming the
field (nothing stored), the audit event, the link to paste at the panel, and the roles."""

import re
from html import unescape

import pytest
from django.urls import reverse

from study import services
from study.core import panels
from study.models import AuditEvent, StudyMembership
from tests.factories import UserFactory, gaube_study

pytestmark = pytest.mark.django_db

PROLIFIC_URL = "https://app.prolific.com/submissions/complete?cc={code}"


def _post(client, study, **data):
    fields = {"preset": "other", "id_param": "", "session_params": ""}
    fields |= {"completion_url": "", "screenout_url": ""} | data
    return client.post(reverse("console:panel", args=[study.slug]), fields)


def _stored(study) -> tuple:
    study.refresh_from_db()
    return (
        study.panel_id_param,
        study.panel_session_params,
        study.completion_url,
        study.screenout_url,
    )


def test_given_the_prolific_preset_when_saved_then_prolifics_names_and_url_are_stored(
    owner_client, owner
):
    study = gaube_study(owner=owner)

    response = _post(
        owner_client,
        study,
        preset="prolific",
        id_param="ignored",
        screenout_url="https://app.prolific.com/submissions/complete?cc=SCREEN1",
    )

    assert response.status_code == 302
    assert _stored(study) == (
        "PROLIFIC_PID",
        ["STUDY_ID", "SESSION_ID"],
        PROLIFIC_URL,
        "https://app.prolific.com/submissions/complete?cc=SCREEN1",
    )
    event = AuditEvent.objects.get(action="panel.set")
    assert event.actor == owner
    assert event.detail["after"]["id_param"] == "PROLIFIC_PID"


def test_given_another_panel_when_saved_then_its_own_names_are_stored(owner_client, owner):
    study = gaube_study(owner=owner)

    _post(
        owner_client,
        study,
        id_param="workerId",
        session_params="hitId, assignmentId",
        completion_url="https://panel.example/done/{code}",
    )

    assert _stored(study) == (
        "workerId",
        ["hitId", "assignmentId"],
        "https://panel.example/done/{code}",
        "",
    )
    page = owner_client.get(reverse("console:panel", args=[study.slug])).content.decode()
    assert 'value="workerId"' in page
    assert 'value="hitId assignmentId"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"id_param": "worker id"},
            "Link parameter with the panel&#x27;s participant id: &#x27;worker id&#x27; is not a "
            "link parameter name: use a letter, then letters, digits or underscores (at most 40 "
            "characters).",
        ),
        (
            {"id_param": ""},
            "Link parameter with the panel&#x27;s participant id: Another panel needs the name "
            "of its id parameter.",
        ),
        (
            {"id_param": "pid", "session_params": "pid"},
            "Further link parameters to keep with the participant: each parameter may be named "
            "only once.",
        ),
        (
            {"id_param": "pid", "completion_url": "ftp://panel.example/{code}"},
            "Completion URL: must start with https://.",
        ),
        (
            {"id_param": "pid", "completion_url": "https://panel.example/{code}/{code}"},
            "Completion URL: {code} may appear only once.",
        ),
        (
            {"preset": "prolific", "screenout_url": "https://evil.example@app.prolific.com/"},
            "Screen-out URL: must name the panel&#x27;s host, e.g. https://panel.example/.",
        ),
        ({"preset": "prolific", "completion_url": "x" * 501}, "Completion URL: Ensure this"),
        ({"preset": "bogus"}, "Recruitment panel: Select a valid choice."),
    ],
)
def test_given_bad_panel_settings_then_400_names_the_field_and_nothing_is_stored(
    owner_client, owner, data, message
):
    study = gaube_study(owner=owner)
    services.panel_settings_set(study=study, config=panels.PROLIFIC)
    before = _stored(study)

    response = _post(owner_client, study, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _stored(study) == before
    assert AuditEvent.objects.filter(action="panel.set").count() == 1


def test_given_none_when_saved_then_every_panel_setting_is_cleared(owner_client, owner):
    study = gaube_study(owner=owner)
    services.panel_settings_set(study=study, config=panels.PROLIFIC)

    _post(owner_client, study, preset="none", id_param="x", completion_url="junk")

    assert _stored(study) == ("", [], "", "")


def test_given_prolific_and_an_open_link_then_the_page_shows_the_link_to_paste(owner_client, owner):
    study = services.self_enrolment_enable(study=gaube_study(owner=owner))
    services.panel_settings_set(study=study, config=panels.PROLIFIC)

    page = owner_client.get(reverse("console:panel", args=[study.slug])).content.decode()

    link = unescape(re.search(r'<code id="panel-link">([^<]*)</code>', page).group(1))
    assert link == (
        f"http://testserver/s/{study.self_enrolment_token}/?PROLIFIC_PID={{{{%PROLIFIC_PID%}}}}"
        "&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}"
    )
    overview = owner_client.get(reverse("console:study", args=[study.slug])).content.decode()
    assert "participants arrive with <code>PROLIFIC_PID</code>" in overview


def test_given_a_panel_without_an_open_link_then_the_page_says_to_create_it(owner_client, owner):
    study = gaube_study(owner=owner)
    services.panel_settings_set(study=study, config=panels.PROLIFIC)
    page = owner_client.get(reverse("console:panel", args=[study.slug])).content.decode()
    assert 'id="panel-link-missing"' in page
    assert 'id="panel-link"' not in page


def test_given_a_viewer_then_they_see_the_settings_but_cannot_change_them(client):
    study = gaube_study()
    viewer = UserFactory(username="viewer")
    StudyMembership.objects.create(study=study, user=viewer, role=StudyMembership.Role.VIEWER)
    client.force_login(viewer)

    page = client.get(reverse("console:panel", args=[study.slug]))
    refused = _post(client, study, preset="prolific")

    assert page.status_code == 200
    assert "Save the panel settings" not in page.content.decode()
    assert refused.status_code == 403
    assert _stored(study) == ("", [], "", "")
