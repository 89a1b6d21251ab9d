"""The open link with a panel's parameters (Prolific-style), resuming by panel id, the 400 page
for a bad link, and the links back to the panel: exactly the configured host, never a URL taken
from the request."""

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from study import services
from study.core import panels
from study.models import Participant
from tests.factories import RADIOLOGIST, answer_all, gaube_study

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
QUERY = {"PROLIFIC_PID": PID, "STUDY_ID": "60a1b2c3d4e5f6a7b8c9d0e1", "SESSION_ID": "sess-42"}


def _panel_study(**overrides):
    study = services.self_enrolment_enable(study=gaube_study(**overrides))
    return services.panel_settings_set(study=study, config=PANEL)


def _link(study, query: dict | str = QUERY) -> str:
    query = query if isinstance(query, str) else urlencode(query)
    return reverse("participant:open_link", args=[study.self_enrolment_token]) + "?" + query


def _return_href(page) -> str | None:
    match = re.search(r'<a class="button[^"]*" id="panel-return" href="([^"]*)"', page)
    return unescape(match.group(1)) if match else None


def _enrolled_via_link(client, study, query=QUERY) -> Participant:
    response = client.post(_link(study, query))
    assert response.status_code == 302
    return Participant.objects.get(token=response["Location"].split("/")[2])


def _finish(participant: Participant) -> Participant:
    if participant.status == Participant.Status.INVITED:
        services.participant_consent(participant=participant, agreed=True)
        participant = services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    answer_all(participant)
    services.questionnaire_record(
        participant=participant, answers={"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}
    )
    return services.participant_complete(participant=participant, withdraw=False)


def test_given_a_prolific_link_when_opened_then_the_page_posts_back_to_the_same_link(client):
    study = _panel_study()

    page = client.get(_link(study))

    assert page.status_code == 200
    assert study.participants.count() == 0
    # No action: the start form posts to the page's own address, the panel's query included.
    assert re.search(r"<form method=\"post\">", page.content.decode())


def test_given_a_prolific_link_when_started_then_the_participant_keeps_the_panel_values(client):
    study = _panel_study()

    participant = _enrolled_via_link(client, study)

    assert participant.external_id == PID
    assert participant.panel_params == {
        "STUDY_ID": "60a1b2c3d4e5f6a7b8c9d0e1",
        "SESSION_ID": "sess-42",
    }


def test_given_a_known_panel_id_when_the_link_is_opened_again_then_it_resumes_at_the_step(
    client,
):
    study = _panel_study()
    participant = _enrolled_via_link(client, study)
    services.participant_consent(participant=participant, agreed=True)
    entry = reverse("participant:entry", args=[participant.token])

    for response in (client.get(_link(study)), client.post(_link(study))):
        assert (response.status_code, response["Location"]) == (302, entry)
    assert study.participants.count() == 1
    followed = client.get(_link(study), follow=True)
    assert followed.redirect_chain[-1][0] == reverse(
        "participant:screening", args=[participant.token]
    )


def test_given_a_known_panel_id_when_the_study_has_closed_then_it_still_resumes(client):
    study = _panel_study()
    participant = _enrolled_via_link(client, study)
    services.study_close(study=study)

    resumed = client.get(_link(study))
    newcomer = client.post(_link(study, {"PROLIFIC_PID": "another"}))

    assert resumed["Location"] == reverse("participant:entry", args=[participant.token])
    assert newcomer.status_code == 403
    assert study.participants.count() == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "STUDY_ID=abc",
            "The link you followed is missing PROLIFIC_PID, the participant id your recruitment "
            "panel adds to it.",
        ),
        (
            "",
            "The link you followed is missing PROLIFIC_PID, the participant id your recruitment "
            "panel adds to it.",
        ),
        (
            "PROLIFIC_PID=%40evil.example%2F",
            "The link you followed carries a value for PROLIFIC_PID that this study cannot accept.",
        ),
        (
            "PROLIFIC_PID=%2F%2Fevil",
            "The link you followed carries a value for PROLIFIC_PID that this study cannot accept.",
        ),
        (
            f"PROLIFIC_PID={PID}&SESSION_ID=%3Cscript%3E",
            "The link you followed carries a value for SESSION_ID that this study cannot accept.",
        ),
        (
            f"PROLIFIC_PID={PID}&PROLIFIC_PID=x",
            "The link you followed carries a value for PROLIFIC_PID that this study cannot accept.",
        ),
    ],
)
def test_given_a_bad_panel_link_then_get_and_post_are_a_400_that_says_why(client, query, message):
    study = _panel_study()

    for response in (client.get(_link(study, query)), client.post(_link(study, query))):
        assert response.status_code == 400
        body = response.content.decode()
        assert f'<p id="panel-link-problem">{message}</p>' in body
        # The value is never echoed, escaped or not.
        assert "evil" not in body
        assert "&lt;script" not in body
    assert study.participants.count() == 0


def test_given_a_study_without_a_panel_then_link_parameters_are_ignored(client):
    study = services.self_enrolment_enable(study=gaube_study())
    participant = _enrolled_via_link(client, study, {"PROLIFIC_PID": "@evil"})
    assert (participant.external_id, participant.panel_params) == ("", {})


def test_given_a_completed_panel_participant_then_the_done_page_links_back_with_the_code(client):
    study = _panel_study()
    participant = _finish(_enrolled_via_link(client, study))

    page = client.get(reverse("participant:done", args=[participant.token])).content.decode()

    href = _return_href(page)
    assert href == (
        f"https://app.prolific.example/submissions/complete?cc={participant.completion_code}"
    )
    assert "Return to app.prolific.example to finish" in page
    assert 'rel="noreferrer"' in page
    assert PID not in page


def test_given_a_forged_completion_code_then_the_link_stays_on_the_configured_host(client):
    study = _panel_study()
    participant = _finish(_enrolled_via_link(client, study))
    forged = "x@evil.example/#//evil.example?cc=y&"
    Participant.objects.filter(pk=participant.pk).update(completion_code=forged[:20])

    page = client.get(reverse("participant:done", args=[participant.token])).content.decode()

    parts = urlsplit(_return_href(page))
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "app.prolific.example",
        "/submissions/complete",
    )
    assert parse_qs(parts.query) == {"cc": [forged[:20]]}
    assert parts.fragment == ""


def test_given_no_completion_url_then_the_done_page_shows_the_code_without_a_link(client):
    study = _panel_study()
    study = services.panel_settings_set(
        study=study, config=panels.PanelConfig(id_param="PROLIFIC_PID")
    )
    participant = _finish(_enrolled_via_link(client, study))

    page = client.get(reverse("participant:done", args=[participant.token])).content.decode()

    assert participant.completion_code in page
    assert _return_href(page) is None


def test_given_an_invited_participant_of_a_panel_study_then_no_panel_link_is_shown(client):
    study = _panel_study()
    (invited,) = services.invitations_create(study=study, count=1)
    participant = _finish(invited)
    page = client.get(reverse("participant:done", args=[participant.token])).content.decode()
    assert _return_href(page) is None


def _declined(participant):
    return services.participant_consent(participant=participant, agreed=False)


def _ineligible(participant):
    services.participant_consent(participant=participant, agreed=True)
    return services.participant_enrol(
        participant=participant,
        screening=services.Screening(
            specialty="other", training_level="attending", years_experience=5, prior_ai_use="never"
        ),
    )


def _withdrawn(participant):
    services.participant_consent(participant=participant, agreed=True)
    return services.participant_withdraw(participant=participant, by="participant")


@pytest.mark.parametrize(
    ("arrange", "page_name"),
    [(_declined, "status"), (_ineligible, "status"), (_withdrawn, "withdrawn")],
)
def test_given_a_screened_out_panel_participant_then_the_page_links_to_the_screenout_url(
    client, arrange, page_name
):
    study = _panel_study()
    participant = arrange(_enrolled_via_link(client, study))

    page = client.get(reverse(f"participant:{page_name}", args=[participant.token]))

    body = page.content.decode()
    assert page.status_code == 200
    assert _return_href(body) == SCREENOUT
    assert "Return to app.prolific.example</a>" in body
    assert PID not in body


def test_given_a_full_stratum_then_the_page_links_to_the_screenout_url(client):
    study = _panel_study()
    study = services.stratum_quotas_set(study=study, quotas={"radiology": 0})
    participant = _enrolled_via_link(client, study)
    services.participant_consent(participant=participant, agreed=True)
    participant = services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    assert participant.status == Participant.Status.STRATUM_FULL

    body = client.get(reverse("participant:status", args=[participant.token])).content.decode()

    assert _return_href(body) == SCREENOUT


def test_given_a_panel_participant_then_no_page_of_the_flow_shows_their_panel_id(client):
    study = _panel_study()
    participant = _enrolled_via_link(client, study)
    pages = [client.get(reverse("participant:consent", args=[participant.token]))]
    services.participant_consent(participant=participant, agreed=True)
    pages.append(client.get(reverse("participant:screening", args=[participant.token])))
    participant = services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    pages.append(client.get(reverse("participant:trial", args=[participant.token, 1])))
    participant = _finish(participant)
    pages.append(client.get(reverse("participant:done", args=[participant.token])))

    for page in pages:
        assert page.status_code == 200
        body = page.content.decode()
        assert PID not in body
        assert "sess-42" not in body
