"""Per-client limits on the participant and enrolment URLs (study.ratelimit): token guessing
and floods are stopped, a real participant at the fastest real pace never is."""

import secrets

import pytest
from django.test import override_settings
from django.urls import reverse

from study.models import Participant, Response
from study.services import invitations_create
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db

ATTACKER, COLLEAGUE = "203.0.113.66", "198.51.100.20"


def test_given_300_random_tokens_in_a_row_then_guessing_stops_after_twenty(client):
    statuses = [
        client.get(f"/p/{secrets.token_urlsafe(24)}/", REMOTE_ADDR=ATTACKER).status_code
        for _ in range(300)
    ]

    assert statuses[:20] == [404] * 20
    assert set(statuses[20:]) == {429}
    held = client.get(f"/p/{secrets.token_urlsafe(24)}/", REMOTE_ADDR=ATTACKER)
    assert held["Retry-After"] == "60"
    assert "Please wait a minute" in held.content.decode()


def test_given_a_guessing_address_then_a_participant_elsewhere_is_not_held(client):
    study = gaube_study()
    (participant,) = invitations_create(study=study, count=1)
    for _ in range(30):
        client.get(f"/s/{secrets.token_urlsafe(24)}/", REMOTE_ADDR=ATTACKER)

    response = client.get(f"/p/{participant.token}/", REMOTE_ADDR=COLLEAGUE)

    assert response.status_code == 302


@override_settings(PROXY_COUNT=1)
def test_given_a_trusted_proxy_then_clients_are_told_apart_by_x_forwarded_for(client):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(25):
        client.get(f"/p/{secrets.token_urlsafe(24)}/", HTTP_X_FORWARDED_FOR=ATTACKER, **proxy)
    study = gaube_study()
    (participant,) = invitations_create(study=study, count=1)

    guesser = client.get("/p/another-guess/", HTTP_X_FORWARDED_FOR=ATTACKER, **proxy)
    colleague = client.get(f"/p/{participant.token}/", HTTP_X_FORWARDED_FOR=COLLEAGUE, **proxy)

    assert guesser.status_code == 429
    assert colleague.status_code == 302


def _answers(number: int) -> dict[str, str]:
    return {
        "advice_rating": "5",
        "decision": "modify" if number % 2 else "reject",
        "final_diagnosis": "pneumonia",
        "confidence": "6",
        "client_active_ms": "900",
        "client_response_ms": "800",
        "viewer_interactions": "2",
    }


def test_given_the_fastest_reader_with_reloads_and_images_then_nothing_is_refused(client):
    # One participant who reloads every page twice and asks for a dozen images per case, as
    # fast as the test client can go: far beyond a real reader, still under every limit.
    study = gaube_study()
    (participant,) = invitations_create(study=study, count=1)
    entry = reverse("participant:entry", args=[participant.token])
    statuses = []

    def get(url):
        response = client.get(url, follow=True)
        statuses.extend(code for _, code in response.redirect_chain)
        statuses.append(response.status_code)
        return response

    def post(url, data):
        response = client.post(url, data)
        statuses.append(response.status_code)

    page = get(entry)
    post(page.redirect_chain[-1][0], {"agree": "yes"})
    screening = {
        "specialty": "radiology",
        "training_level": "attending",
        "years_experience": "10",
        "prior_ai_use": "never",
    }
    post(reverse("participant:screening", args=[participant.token]), screening)
    for number in range(1, 9):
        get(entry)
        page = get(entry)
        for index in range(12):  # the images: not stored in this study, so 404, not a miss
            statuses.append(
                client.get(f"/p/{participant.token}/image/{number}/v{index}.png").status_code
            )
        post(page.redirect_chain[-1][0], _answers(number))
    page = get(entry)
    post(page.redirect_chain[-1][0], {"ai_attitude": "4", "advice_usefulness": "5", "comments": ""})
    page = get(entry)
    post(page.redirect_chain[-1][0], {"choice": "keep"})

    assert 429 not in statuses
    participant = Participant.objects.get(pk=participant.pk)
    assert participant.status == "completed"
    assert Response.objects.filter(trial__participant=participant).count() == 8


@override_settings(RATELIMIT_PER_TOKEN=30)
def test_given_one_token_hammered_then_it_is_paused_and_its_answers_are_kept(client):
    study = gaube_study()
    (participant,) = invitations_create(study=study, count=1)
    statuses = [client.get(f"/p/{participant.token}/").status_code for _ in range(40)]

    assert statuses[:30] == [302] * 30
    assert set(statuses[30:]) == {429}


@override_settings(RATELIMIT_ENROLMENTS=5)
def test_given_an_enrolment_flood_from_one_address_then_it_is_paused(client):
    study = gaube_study()
    study.self_enrolment_token = "open-" + secrets.token_urlsafe(8)
    study.save(update_fields=["self_enrolment_token"])
    url = f"/s/{study.self_enrolment_token}/"

    statuses = [client.post(url, REMOTE_ADDR=ATTACKER).status_code for _ in range(8)]

    assert statuses == [302] * 5 + [429] * 3
    assert Participant.objects.filter(study=study).count() == 5


@override_settings(RATELIMIT_ENABLE=False)
def test_given_limits_switched_off_then_guessing_is_only_404s(client):
    statuses = {client.get(f"/p/{secrets.token_urlsafe(24)}/").status_code for _ in range(40)}
    assert statuses == {404}


@override_settings(PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", ["not-an-address", "999.1.1.1", "\x00", ""])
def test_given_a_forged_forwarded_address_then_the_connecting_one_is_used(client, forwarded):
    from django.test import RequestFactory

    from study.ratelimit import client_address

    request = RequestFactory().get("/p/x/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == "10.0.0.2"
    # and a sign-in with it is answered, not a 500 (axes stores the address as inet)
    response = client.post(
        reverse("console:login"),
        {"username": "x", "password": "y"},
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 200


def test_given_a_request_without_an_address_then_there_is_none():
    from django.http import HttpRequest

    from study.ratelimit import client_address

    assert client_address(HttpRequest()) is None
