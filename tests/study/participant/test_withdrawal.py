"""Withdrawal at any time from the participant's pages: the link on every page from consent to
completion, the confirmation page, one withdrawal however often it is sent, the withdrawn page
behind every URL afterwards, and the withdrawn participant absent from the export rows."""

import pytest
from django.urls import reverse

from study import selectors, services
from study.models import AuditEvent, Participant
from tests.factories import INTERNIST, RADIOLOGIST, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

LINK = "Withdraw from this study"
STEPS = ("consent", "screening", "trial", "questionnaire", "debrief", "done")
QUESTIONNAIRE = {"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}


def _at(study, step: str) -> Participant:
    """A participant whose current page is ``step``, arranged through the services."""
    (participant,) = services.invitations_create(study=study, count=1)
    if step == "consent":
        return participant
    participant = services.participant_consent(participant=participant, agreed=True)
    if step == "screening":
        return participant
    participant = services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    if step == "trial":
        return participant
    answer_all(participant)
    participant = services.questionnaire_record(participant=participant, answers=QUESTIONNAIRE)
    if step == "debrief":
        return participant
    return services.participant_complete(participant=participant, withdraw=False)


def _page(client, participant):
    return client.get(reverse("participant:entry", args=[participant.token]), follow=True)


def _confirm(client, participant):
    return client.post(
        reverse("participant:withdraw", args=[participant.token]), {"confirm": "yes"}
    )


@pytest.mark.parametrize("step", [s for s in STEPS if s != "questionnaire"])
def test_given_a_participant_at_any_step_from_consent_to_done_then_the_page_links_to_withdrawal(
    client, step
):
    participant = _at(gaube_study(), step)

    page = _page(client, participant)

    body = page.content.decode()
    href = reverse("participant:withdraw", args=[participant.token])
    assert f'<a href="{href}">{LINK}</a>' in body
    path = {"consent": "consent", "screening": "about-you", "trial": "case/1"}.get(step, step)
    assert page.redirect_chain[-1][0] == f"/p/{participant.token}/{path}/"


def test_given_the_questionnaire_page_then_it_links_to_withdrawal(client):
    participant = enrolled_participant(gaube_study())
    answer_all(participant)

    page = _page(client, participant)

    assert page.redirect_chain[-1][0].endswith("/questionnaire/")
    assert LINK in page.content.decode()


@pytest.mark.parametrize("outcome", ["declined", "ineligible"])
def test_given_a_participant_who_never_took_part_then_no_withdrawal_is_offered(client, outcome):
    (participant,) = services.invitations_create(study=gaube_study(), count=1)
    participant = services.participant_consent(
        participant=participant, agreed=outcome == "ineligible"
    )
    if outcome == "ineligible":
        screening = services.Screening(**{**INTERNIST.__dict__, "specialty": "other"})
        participant = services.participant_enrol(participant=participant, screening=screening)
    assert participant.status == outcome

    page = _page(client, participant)
    confirm = client.get(reverse("participant:withdraw", args=[participant.token]))

    assert LINK not in page.content.decode()
    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("participant:status", args=[participant.token])


def test_given_the_confirmation_page_then_it_says_what_withdrawal_means_and_changes_nothing(
    client,
):
    participant = _at(gaube_study(), "trial")

    page = client.get(reverse("participant:withdraw", args=[participant.token]))

    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("<h1") == 1
    assert "<h1>Withdraw from this study</h1>" in body
    assert "Your answers are kept out of every export and every analysis of this study." in body
    assert (
        "The study keeps only the fact that you withdrew, when, and at which step (the cases)."
        in body
    )
    assert 'name="confirm" value="yes">Yes, withdraw me from this study</button>' in body
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS


def test_given_a_post_without_the_confirm_button_then_400_says_so_and_nothing_is_withdrawn(
    client,
):
    participant = _at(gaube_study(), "trial")

    response = client.post(reverse("participant:withdraw", args=[participant.token]), {})

    assert response.status_code == 400
    assert (
        "Nothing was withdrawn: use the button &quot;Yes, withdraw me from this study&quot; "
        "to confirm." in response.content.decode()
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.IN_PROGRESS


def test_given_mid_trial_when_withdrawal_is_confirmed_twice_then_it_is_recorded_once(client):
    participant = _at(gaube_study(), "trial")
    for trial in participant.trials.order_by("position")[:3]:
        services.response_record(
            trial=services.trial_show(trial=trial),
            answer=services.Answer(
                advice_rating=4, decision="reject", final_diagnosis="normal", confidence=3
            ),
        )

    first = _confirm(client, participant)
    participant.refresh_from_db()
    withdrawn_at = participant.withdrawn_at
    second = _confirm(client, participant)

    withdrawn_page = reverse("participant:withdrawn", args=[participant.token])
    assert (first.status_code, first["Location"]) == (302, withdrawn_page)
    assert (second.status_code, second["Location"]) == (302, withdrawn_page)
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert (participant.withdrawn_step, participant.withdrawn_by) == ("trial", "participant")
    assert participant.withdrawal_reason == ""
    assert participant.withdrawn_at == withdrawn_at is not None
    events = AuditEvent.objects.filter(action="participant.withdrawn")
    assert list(events.values_list("participant_public_id", "detail", "actor")) == [
        (participant.public_id, {"step": "trial", "by": "participant"}, None)
    ]


def test_given_a_withdrawal_then_no_audit_event_carries_the_participant_token(client):
    participant = _at(gaube_study(), "screening")
    _page(client, participant)

    _confirm(client, participant)

    assert AuditEvent.objects.filter(action="participant.withdrawn").count() == 1
    for event in AuditEvent.objects.all():
        assert participant.token not in repr(
            (event.action, event.participant_public_id, event.detail)
        )


def test_given_a_withdrawn_participant_then_every_participant_url_shows_the_withdrawn_page(
    client,
):
    participant = _at(gaube_study(), "trial")
    _confirm(client, participant)
    token = participant.token
    urls = [
        reverse("participant:entry", args=[token]),
        reverse("participant:consent", args=[token]),
        reverse("participant:status", args=[token]),
        reverse("participant:screening", args=[token]),
        reverse("participant:trial", args=[token, 1]),
        reverse("participant:trial", args=[token, 2]),
        reverse("participant:questionnaire", args=[token]),
        reverse("participant:debrief", args=[token]),
        reverse("participant:done", args=[token]),
        reverse("participant:withdraw", args=[token]),
        reverse("participant:image", args=[token, 1, "display.png"]),
    ]

    for url in urls:
        page = client.get(url, follow=True)
        assert page.redirect_chain[-1][0] == reverse("participant:withdrawn", args=[token]), url
        body = page.content.decode()
        assert "<h1>You have withdrawn from this study</h1>" in body, url
        assert LINK not in body, url
    answer = client.post(reverse("participant:trial", args=[token, 1]), {"advice_rating": "5"})
    assert answer["Location"] == reverse("participant:withdrawn", args=[token])
    assert not participant.trials.filter(response__isnull=False).exists()


def test_given_a_completed_participant_when_they_withdraw_then_the_step_is_done_and_the_code_stays(
    client,
):
    participant = _at(gaube_study(), "done")
    code = participant.completion_code

    done_page = _page(client, participant)
    _confirm(client, participant)
    page = _page(client, participant)

    assert code in done_page.content.decode()
    assert LINK in done_page.content.decode()
    participant.refresh_from_db()
    assert (participant.status, participant.withdrawn_step) == ("withdrawn", "done")
    assert participant.completion_code == code
    assert f'<p class="completion-code" id="completion-code">{code}</p>' in page.content.decode()


def test_given_withdrawal_at_the_debrief_then_it_is_recorded_at_the_debrief_step(client):
    participant = _at(gaube_study(), "debrief")

    client.post(reverse("participant:debrief", args=[participant.token]), {"choice": "withdraw"})

    participant.refresh_from_db()
    assert (participant.status, participant.withdrawn_step) == ("withdrawn", "debrief")
    assert participant.withdrawn_by == "participant"
    assert participant.completion_code != ""
    assert AuditEvent.objects.get(action="participant.withdrawn").detail == {
        "step": "debrief",
        "by": "participant",
    }


def test_given_a_withdrawn_participant_then_the_trials_and_participants_rows_leave_them_out(
    client,
):
    study = gaube_study()
    kept = enrolled_participant(study)
    answer_all(kept)
    withdrawn = enrolled_participant(study)
    answer_all(withdrawn)
    _confirm(client, withdrawn)

    trials = list(selectors.trial_rows(study=study))
    participants = list(selectors.participant_rows(study=study))

    assert len(trials) == 8
    assert {row["participant"] for row in trials} == {kept.public_id}
    assert [row["participant"] for row in participants] == [kept.public_id]
    assert withdrawn not in selectors.exported_participants(study=study, include_synthetic=True)


def test_given_a_page_is_served_then_the_last_activity_is_stamped(client):
    participant = _at(gaube_study(), "trial")
    assert participant.last_seen_at is None

    client.get(reverse("participant:trial", args=[participant.token, 1]))

    participant.refresh_from_db()
    first = participant.last_seen_at
    assert first is not None
    client.get(reverse("participant:trial", args=[participant.token, 1]))
    participant.refresh_from_db()
    assert participant.last_seen_at > first


def test_given_a_declined_participant_when_their_page_is_served_then_nothing_is_stamped(client):
    (participant,) = services.invitations_create(study=gaube_study(), count=1)
    participant = services.participant_consent(participant=participant, agreed=False)

    page = _page(client, participant)

    assert "You chose not to take part. Nothing else has been recorded" in page.content.decode()
    participant.refresh_from_db()
    assert participant.last_seen_at is None
