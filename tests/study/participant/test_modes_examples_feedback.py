"""A global-explanation arm shows example images of the advised diagnosis only, served by a URL
that refuses any other; training feedback follows each answered training case, never a test
case, and only when the study gives it."""

import re

import pytest
from django.urls import reverse

from study import services
from study.models import ExampleImage, Trial
from tests.factories import gaube_study
from tests.study.participant.modes import example_add, mode_study, participant_in, training_cases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit")]

GLOBAL = {"ai": {"explanation": "global"}}


def _example_srcs(html: str) -> list[str]:
    return re.findall(r'<img src="(/p/[^"]+/example/[^"]+)" alt="([^"]+)"', html)


def test_the_global_arm_strip_shows_only_examples_of_the_advised_diagnosis(client):
    study = mode_study(arms=GLOBAL, examples=True)
    participant = participant_in(study, "ai")
    labels = dict(study.diagnoses.values_list("code", "label"))
    for trial in participant.trials.select_related("advice").order_by("position")[:3]:
        url = reverse("participant:trial", args=[participant.token, trial.position])
        html = client.get(url).content.decode()
        advised = trial.advice.diagnosis
        expected = ExampleImage.objects.filter(study=study, diagnosis=advised).order_by("position")
        shown = _example_srcs(html)

        assert f"Example images of {labels[advised]}" in html
        assert [alt for _src, alt in shown] == ["Example image 1 of 2", "Example image 2 of 2"]
        assert [src.rsplit("/", 1)[1] for src, _alt in shown] == [
            example.display_image.name.rsplit("/", 1)[1] for example in expected
        ]
        for src, _alt in shown:
            served = client.get(src)
            assert served.status_code == 200
            assert served["Content-Type"] == "image/png"
            assert advised not in src
        client.post(
            url,
            {
                "advice_rating": "4",
                "decision": "accept",
                "final_diagnosis": advised,
                "confidence": "4",
            },
        )


def test_the_example_url_refuses_an_example_of_another_diagnosis_and_other_arms(client):
    study = mode_study(arms=GLOBAL, examples=True)
    participant = participant_in(study, "ai")
    trial = participant.trials.select_related("advice").get(position=1)
    client.get(reverse("participant:trial", args=[participant.token, 1]))
    other = ExampleImage.objects.filter(study=study).exclude(diagnosis=trial.advice.diagnosis)[0]
    own = ExampleImage.objects.filter(study=study, diagnosis=trial.advice.diagnosis)[0]

    def fetch(who, position, example):
        name = example.display_image.name.rsplit("/", 1)[1]
        return client.get(reverse("participant:example", args=[who.token, position, name]))

    assert fetch(participant, 1, own).status_code == 200
    assert fetch(participant, 1, other).status_code == 404
    assert fetch(participant, 99, own).status_code == 404
    local = participant_in(study, "human")
    local_trial = local.trials.get(case=trial.case)
    client.get(reverse("participant:trial", args=[local.token, local_trial.position]))
    assert fetch(local, local_trial.position, own).status_code == 404
    assert (
        "/example/"
        not in client.get(reverse("participant:trial", args=[local.token, 1])).content.decode()
    )


def test_before_the_reveal_no_example_is_shown_or_served(client):
    study = mode_study(arms=GLOBAL, examples=True, read_then_reveal=True)
    participant = participant_in(study, "ai")
    trial = participant.trials.select_related("advice").get(position=1)
    html = client.get(reverse("participant:trial", args=[participant.token, 1])).content.decode()
    own = ExampleImage.objects.filter(study=study, diagnosis=trial.advice.diagnosis)[0]
    name = own.display_image.name.rsplit("/", 1)[1]

    assert "/example/" not in html
    assert "Example images" not in html
    url = reverse("participant:example", args=[participant.token, 1, name])
    assert client.get(url).status_code == 404


def test_an_example_added_for_another_study_is_never_served(client):
    study = mode_study(arms=GLOBAL, examples=True)
    elsewhere = mode_study(arms=GLOBAL, examples=True)
    participant = participant_in(study, "ai")
    trial = participant.trials.select_related("advice").get(position=1)
    client.get(reverse("participant:trial", args=[participant.token, 1]))
    foreign = example_add(elsewhere, trial.advice.diagnosis, seed=200)
    name = foreign.display_image.name.rsplit("/", 1)[1]

    url = reverse("participant:example", args=[participant.token, 1, name])
    assert client.get(url).status_code == 404


def _feedback_study(feedback: bool = True, **overrides):
    study = gaube_study(
        open_study=False,
        cases_per_participant=6,
        inaccurate_per_participant=2,
        training_feedback=feedback,
        **overrides,
    )
    training_cases(study)
    return services.study_open(study=study)


def _answer(client, participant, position, data=None):
    trial = participant.trials.select_related("advice").get(position=position)
    url = reverse("participant:trial", args=[participant.token, position])
    client.get(url)
    answer = data or {
        "advice_rating": "4",
        "decision": "reject",
        "final_diagnosis": "pneumonia",
        "confidence": "5",
    }
    return client.post(url, answer), trial


def test_a_training_case_is_followed_by_its_feedback_then_continue_goes_on(client):
    study = _feedback_study()
    participant = participant_in(study, "ai")
    response, trial = _answer(client, participant, 1)
    feedback_url = reverse("participant:feedback", args=[participant.token, 1])

    assert client.get(response["Location"])["Location"] == feedback_url
    # The next case waits until the feedback was seen.
    assert client.get(reverse("participant:trial", args=[participant.token, 2]))["Location"] == (
        feedback_url
    )
    html = client.get(feedback_url).content.decode()
    label = dict(study.diagnoses.values_list("code", "label"))[trial.case.reference_diagnosis]
    assert "Training case 1: feedback" in html
    assert f"<strong>{label}</strong>" in html
    assert "<dt>Your diagnosis</dt><dd>Pneumonia</dd>" in html
    assert "Slightly modify" not in html
    assert "Reject the advice" in html
    assert "Look at the costophrenic angle." in html
    assert "Withdraw from this study" in html

    continued = client.post(feedback_url)
    assert continued.status_code == 302
    seen = Trial.objects.get(pk=trial.pk).feedback_seen_at
    assert seen is not None
    assert client.post(feedback_url).status_code == 302  # a second post changes nothing
    assert Trial.objects.get(pk=trial.pk).feedback_seen_at == seen
    assert client.get(reverse("participant:entry", args=[participant.token]))["Location"] == (
        reverse("participant:trial", args=[participant.token, 2])
    )


def test_a_test_case_gets_no_feedback(client):
    study = _feedback_study()
    participant = participant_in(study, "ai")
    for position in (1, 2):
        _answer(client, participant, position)
        client.post(reverse("participant:feedback", args=[participant.token, position]))
    response, trial = _answer(client, participant, 3)

    assert not trial.is_training
    assert client.get(response["Location"])["Location"] == (
        reverse("participant:trial", args=[participant.token, 4])
    )
    feedback = client.get(reverse("participant:feedback", args=[participant.token, 3]))
    case_4 = reverse("participant:trial", args=[participant.token, 4])
    assert feedback["Location"] == f"{case_4}?saved=3"
    assert Trial.objects.get(pk=trial.pk).feedback_seen_at is None


def test_without_the_study_flag_training_cases_get_no_feedback(client):
    study = _feedback_study(feedback=False)
    participant = participant_in(study, "ai")
    response, trial = _answer(client, participant, 1)

    assert trial.is_training
    assert client.get(response["Location"])["Location"] == (
        reverse("participant:trial", args=[participant.token, 2])
    )


def test_feedback_in_agree_mode_says_the_button_pressed(client):
    study = _feedback_study(response_mode="agree_disagree", ask_rating=False, ask_confidence=False)
    participant = participant_in(study, "ai")
    _answer(client, participant, 1, {"agreed": "no"})

    html = client.get(reverse("participant:feedback", args=[participant.token, 1])).content.decode()
    assert "<dt>Your decision</dt><dd>You disagreed with the advice</dd>" in html


def test_the_withdraw_page_names_the_feedback_step_as_the_cases(client):
    study = _feedback_study()
    participant = participant_in(study, "ai")
    _answer(client, participant, 1)

    html = client.get(reverse("participant:withdraw", args=[participant.token])).content.decode()
    assert "at which step (the cases)" in html
    client.post(reverse("participant:withdraw", args=[participant.token]), {"confirm": "yes"})
    participant.refresh_from_db()
    assert participant.withdrawn_step == "feedback"
