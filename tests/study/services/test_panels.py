"""Panel settings (stored, audited, outside the design hash), enrolment with a panel's id (once
per id, resumed after), and where each participant is sent back to."""

import pytest
from django.test import override_settings

from study import services
from study.core import panels
from study.models import AuditEvent, Participant
from study.services import enrolment
from tests.factories import RADIOLOGIST, UserFactory, answer_all, gaube_study

pytestmark = pytest.mark.django_db

PID = "5f3a9c0e1b2d4e6f7a8b9c0d"
COMPLETION = "https://app.prolific.example/submissions/complete?cc={code}"
SCREENOUT = "https://app.prolific.example/submissions/complete?cc=SCREENED"
PANEL = panels.PanelConfig(
    id_param="PROLIFIC_PID",
    session_params=("STUDY_ID", "SESSION_ID"),
    completion_url=COMPLETION,
    screenout_url=SCREENOUT,
)
VALUES = services.PanelValues(external_id=PID, params={"STUDY_ID": "st1", "SESSION_ID": "se1"})


def _panel_study(**overrides):
    study = services.self_enrolment_enable(study=gaube_study(**overrides))
    return services.panel_settings_set(study=study, config=PANEL)


def test_given_a_panel_configuration_when_saved_then_it_is_stored_and_audited():
    study = services.self_enrolment_enable(study=gaube_study())
    owner = UserFactory()

    study = services.panel_settings_set(study=study, config=PANEL, actor=owner)

    study.refresh_from_db()
    assert (study.panel_id_param, study.panel_session_params) == (
        "PROLIFIC_PID",
        ["STUDY_ID", "SESSION_ID"],
    )
    assert (study.completion_url, study.screenout_url) == (COMPLETION, SCREENOUT)
    event = AuditEvent.objects.get(action="panel.set")
    assert event.actor == owner
    assert event.detail == {
        "before": {
            "id_param": "",
            "session_params": [],
            "completion_url": "",
            "screenout_url": "",
        },
        "after": {
            "id_param": "PROLIFIC_PID",
            "session_params": ["STUDY_ID", "SESSION_ID"],
            "completion_url": COMPLETION,
            "screenout_url": SCREENOUT,
        },
    }


def test_given_the_same_configuration_again_then_nothing_more_is_audited():
    study = _panel_study()
    services.panel_settings_set(study=study, config=PANEL)
    assert AuditEvent.objects.filter(action="panel.set").count() == 1


def test_given_a_refused_configuration_then_nothing_is_stored():
    study = _panel_study()
    bad = panels.PanelConfig(id_param="PROLIFIC_PID", completion_url="https://evil.example@x/")

    with pytest.raises(services.PanelConfigError) as refused:
        services.panel_settings_set(study=study, config=bad)

    assert str(refused.value) == (
        "completion_url: must name the panel's host, e.g. https://panel.example/."
    )
    study.refresh_from_db()
    assert study.completion_url == COMPLETION
    assert AuditEvent.objects.filter(action="panel.set").count() == 1


@pytest.mark.parametrize(("debug", "accepted"), [(True, True), (False, False)])
def test_given_an_http_url_then_it_is_accepted_only_with_debug_on(debug, accepted):
    study = gaube_study()
    config = panels.PanelConfig(id_param="pid", completion_url="http://localhost:8001/?c={code}")
    with override_settings(DEBUG=debug):
        if accepted:
            services.panel_settings_set(study=study, config=config)
        else:
            with pytest.raises(services.PanelConfigError):
                services.panel_settings_set(study=study, config=config)
    study.refresh_from_db()
    assert study.completion_url == (config.completion_url if accepted else "")


def test_given_a_panel_when_set_after_the_lock_then_the_design_hash_does_not_change():
    study = services.self_enrolment_enable(study=gaube_study())
    participant = services.participant_self_enrol(study=study)
    services.participant_consent(participant=participant, agreed=True)
    services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    study.refresh_from_db()
    locked_hash = study.design_hash
    live_hash = services.study_design_hash(study=study)

    services.panel_settings_set(study=study, config=PANEL)

    study.refresh_from_db()
    assert study.design_hash == locked_hash
    assert services.study_design_hash(study=study) == live_hash


def test_given_panel_values_when_enrolled_then_the_participant_keeps_them():
    study = _panel_study()

    participant = services.participant_self_enrol(study=study, panel=VALUES)

    participant.refresh_from_db()
    assert participant.external_id == PID
    assert participant.panel_params == {"STUDY_ID": "st1", "SESSION_ID": "se1"}
    assert AuditEvent.objects.filter(action="participant.self_enrol").count() == 1


def test_given_the_same_panel_id_again_then_the_same_participant_resumes():
    study = _panel_study()
    first = services.participant_self_enrol(study=study, panel=VALUES)

    again = services.participant_self_enrol(
        study=study, panel=services.PanelValues(external_id=PID, params={"SESSION_ID": "se2"})
    )

    assert again.pk == first.pk
    assert Participant.objects.filter(study=study).count() == 1
    again.refresh_from_db()
    assert again.panel_params == {"STUDY_ID": "st1", "SESSION_ID": "se1"}  # the first session's
    assert AuditEvent.objects.filter(action="participant.self_enrol").count() == 1


def test_given_the_same_panel_id_in_another_study_then_it_is_another_participant():
    first = services.participant_self_enrol(study=_panel_study(), panel=VALUES)
    other = services.participant_self_enrol(study=_panel_study(), panel=VALUES)
    assert first.pk != other.pk
    assert first.external_id == other.external_id == PID


def test_given_a_racing_enrolment_of_the_same_id_then_the_unique_constraint_returns_the_first(
    monkeypatch,
):
    # As if the other request's insert committed between this one's lookup and its insert.
    study = _panel_study()
    first = services.participant_self_enrol(study=study, panel=VALUES)
    monkeypatch.setattr(enrolment, "participant_by_external_id", lambda **_: None)

    again = services.participant_self_enrol(study=study, panel=VALUES)

    assert again.pk == first.pk
    assert Participant.objects.filter(study=study).count() == 1
    assert AuditEvent.objects.filter(action="invitations.create").count() == 1


def test_given_no_panel_values_then_enrolment_is_as_before():
    study = _panel_study()
    first = services.participant_self_enrol(study=study)
    second = services.participant_self_enrol(study=study)
    assert first.pk != second.pk
    assert first.external_id == second.external_id == ""


def _finished(study, *, withdraw: bool = False) -> Participant:
    participant = services.participant_self_enrol(study=study, panel=VALUES)
    services.participant_consent(participant=participant, agreed=True)
    participant = services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    answer_all(participant)
    services.questionnaire_record(
        participant=participant, answers={"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}
    )
    return services.participant_complete(participant=participant, withdraw=withdraw)


def test_given_a_completed_panel_participant_then_they_return_with_their_code():
    participant = _finished(_panel_study())
    link = services.panel_return(participant=participant)
    assert link == panels.PanelReturn(
        url=f"https://app.prolific.example/submissions/complete?cc={participant.completion_code}",
        host="app.prolific.example",
        completed=True,
    )


def test_given_withdrawal_at_the_debrief_then_they_still_return_with_their_code():
    participant = _finished(_panel_study(), withdraw=True)
    assert participant.status == Participant.Status.WITHDRAWN
    link = services.panel_return(participant=participant)
    assert link.completed is True
    assert link.url.endswith(f"cc={participant.completion_code}")


def test_given_a_declined_or_withdrawn_panel_participant_then_they_return_to_the_screenout_url():
    study = _panel_study()
    declined = services.participant_self_enrol(study=study, panel=VALUES)
    declined = services.participant_consent(participant=declined, agreed=False)
    withdrawn = services.participant_self_enrol(
        study=study, panel=services.PanelValues(external_id="second")
    )
    withdrawn = services.participant_withdraw(participant=withdrawn, by="participant")

    for participant in (declined, withdrawn):
        assert services.panel_return(participant=participant) == panels.PanelReturn(
            url=SCREENOUT, host="app.prolific.example", completed=False
        )


def test_given_someone_taking_part_or_without_a_panel_id_then_there_is_no_return_link():
    study = _panel_study()
    taking_part = services.participant_self_enrol(study=study, panel=VALUES)
    invited = services.participant_consent(
        participant=services.invitations_create(study=study, count=1)[0], agreed=False
    )
    assert services.panel_return(participant=taking_part) is None
    assert services.panel_return(participant=invited) is None  # declined, but not from the panel
