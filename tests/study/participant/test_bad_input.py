"""Malformed participant requests (issue 9): a token that can never match is a 404, a refused
form is re-shown with status 400, and a bad hidden client measurement never blocks an answer."""

import pytest
from django.urls import reverse

from study import services
from study.models import Participant, Response
from study.services.responses import CLIENT_MEASUREMENTS
from tests.factories import UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit")]
# Answers to the default questionnaire (study.core.questionnaire.ITEMS).
QUESTIONNAIRE = {"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}

ANSWER = {
    "advice_rating": "5",
    "decision": "modify",
    "final_diagnosis": "pneumonia",
    "confidence": "6",
}
CLIENT_FIELDS = CLIENT_MEASUREMENTS


@pytest.mark.parametrize(
    "path",
    [
        "/p/%00/",
        "/p/%00/consent/",
        "/p/%00/about-you/",
        "/p/%00/case/1/",
        "/p/%00/questionnaire/",
        "/p/%00/withdraw/",
        "/p/%00/image/1/preview.png",
        "/p/a%00b/status/",
        "/s/%00/",
        "/p/" + "a" * 65 + "/",
        "/s/" + "a" * 65 + "/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_token_with_a_nul_or_too_long_is_a_404(client, path, method):
    # On PostgreSQL these were 500s: psycopg refuses NUL in a query parameter (ValueError).
    assert getattr(client, method)(path).status_code == 404


def test_an_image_name_with_a_nul_is_a_404(client):
    participant = enrolled_participant(gaube_study())
    url = reverse("participant:image", args=[participant.token, 1, "x"])[:-1] + "%00"
    assert client.get(url).status_code == 404


def _trial_url(participant, position=1):
    return reverse("participant:trial", args=[participant.token, position])


def test_a_refused_trial_answer_is_re_shown_with_400_and_nothing_is_stored(client):
    participant = enrolled_participant(gaube_study())
    client.get(_trial_url(participant))
    response = client.post(_trial_url(participant), {**ANSWER, "advice_rating": "99"})
    assert response.status_code == 400
    assert "Select a valid choice. 99 is not one of the available choices." in (
        response.content.decode()
    )
    assert not Response.objects.exists()


def test_an_answer_the_service_refuses_is_re_shown_with_400(client):
    participant = enrolled_participant(gaube_study())
    client.get(_trial_url(participant))
    trial = participant.trials.select_related("advice").get(position=1)
    other = "normal" if trial.advice.diagnosis != "normal" else "pneumonia"
    response = client.post(
        _trial_url(participant), {**ANSWER, "decision": "accept", "final_diagnosis": other}
    )
    assert response.status_code == 400
    assert "you accepted the advice" in response.content.decode()
    assert not Response.objects.exists()


def test_a_refused_unaided_read_is_re_shown_with_400(client):
    participant = enrolled_participant(gaube_study(read_then_reveal=True))
    response = client.post(_trial_url(participant), {"unaided_diagnosis": "nonsense"})
    assert response.status_code == 400
    assert "Select a valid choice. nonsense is not one of the available choices." in (
        response.content.decode()
    )
    trial = participant.trials.get(position=1)
    assert (trial.unaided_diagnosis, trial.advice_shown_at) == ("", None)


@pytest.mark.parametrize("field", CLIENT_FIELDS)
@pytest.mark.parametrize("value", [str(2**31), "99999999999999999999", "-1", "abc", "²", "1\x00"])
def test_a_bad_client_measurement_is_stored_as_missing_and_flagged(client, field, value):
    # Before: 2**31 and more was a DataError (500) or a refused hidden field the participant
    # could not fix (200 with an error); now the answer is saved without the page's numbers.
    participant = enrolled_participant(gaube_study())
    client.get(_trial_url(participant))
    sent = {**ANSWER, **dict.fromkeys(CLIENT_FIELDS, "1"), field: value}
    response = client.post(_trial_url(participant), sent)
    assert response.status_code == 302
    (stored,) = Response.objects.all()
    assert (stored.advice_rating, stored.decision, stored.confidence) == (5, "modify", 6)
    # every client measurement of the answer is missing (none is a 0 that looks measured)
    assert [getattr(stored, name) for name in CLIENT_FIELDS] == [None] * len(CLIENT_FIELDS)
    assert stored.timing_flag == "out_of_range"


def test_plausible_client_measurements_are_kept_unflagged(client):
    participant = enrolled_participant(gaube_study())
    client.get(_trial_url(participant))
    sent = {**ANSWER, "client_active_ms": "0", "client_response_ms": " 00 "}
    sent |= {name: str(number) for number, name in enumerate(CLIENT_FIELDS[2:], start=1)}
    assert client.post(_trial_url(participant), sent).status_code == 302
    (stored,) = Response.objects.all()
    assert [getattr(stored, name) for name in CLIENT_FIELDS] == [0, 0, 1, 2, 3, 4, 5, 6]
    assert stored.timing_flag == ""


def _participant_at(step, study):
    (participant,) = services.invitations_create(study=study, count=1)
    if step == "consent":
        return participant
    participant = services.participant_consent(participant=participant, agreed=True)
    if step == "screening":
        return participant
    participant = services.participant_enrol(
        participant=participant, screening=services.Screening("radiology", "attending", 3, "never")
    )
    answer_all(participant)
    if step == "questionnaire":
        return participant
    return services.questionnaire_record(participant=participant, answers=QUESTIONNAIRE)


@pytest.mark.parametrize(
    ("step", "url_name", "data", "message"),
    [
        ("consent", "consent", {}, "Please choose whether you agree to take part."),
        ("consent", "consent", {"agree": "maybe"}, "Select a valid choice."),
        ("screening", "screening", {"years_experience": "²"}, "Enter a whole number."),
        (
            "screening",
            "screening",
            {"years_experience": "9" * 5000},
            "Enter a whole number.",
        ),
        ("questionnaire", "questionnaire", {"ai_attitude": "8"}, "Select a valid choice."),
        ("questionnaire", "questionnaire", {"comments": "a\x00b"}, "Null characters are not"),
        ("debrief", "debrief", {"choice": "\x00"}, "Select a valid choice."),
        ("debrief", "withdraw", {"confirm": "no"}, "Nothing was withdrawn"),
    ],
)
def test_a_refused_participant_form_is_re_shown_with_400(client, step, url_name, data, message):
    participant = _participant_at(step, gaube_study())
    before = _state(participant)
    response = client.post(reverse(f"participant:{url_name}", args=[participant.token]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state(participant) == before


def _state(participant):
    # Everything but the activity stamp, which any page of a step taking part sets.
    state = Participant.objects.values().get(pk=participant.pk)
    del state["last_seen_at"]
    return state


def test_the_preview_re_shows_refused_answers_with_400_and_ignores_an_unknown_arm(client):
    study = gaube_study(owner=UserFactory(username="owner"))
    client.force_login(study.memberships.get().user)
    url = reverse("participant:preview", args=[study.slug])
    refused = client.post(f"{url}?page=screening", {"years_experience": "²"})
    assert refused.status_code == 400
    assert "Enter a whole number." in refused.content.decode()
    for query in ("?arm=%00", "?case=%00", "?arm=" + "x" * 500):
        response = client.get(url + query)
        assert response.status_code == 404
        assert "does not exist in this study" in response.content.decode()
