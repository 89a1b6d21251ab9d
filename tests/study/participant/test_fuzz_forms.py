"""Fuzzing every participant form through the test client (issue 9): random text, NUL, huge
numbers, unicode digits, very long strings, missing and duplicated fields. Never a 500 (the
test client re-raises it); a refused form is a 400 that wrote nothing; a valid one is accepted
(302) and written whole."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from study import demo, services
from study.core import questionnaire, vocabulary
from study.models import Participant, Response
from study.services.responses import CLIENT_COUNT_MAX, CLIENT_MAX_MS, CLIENT_MEASUREMENTS
from tests.factories import RADIOLOGIST, answer_all, enrolled_participant, gaube_study
from tests.study import fuzz_values as fv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit")]
# Answers to the default questionnaire (study.core.questionnaire.ITEMS).
QUESTIONNAIRE = {"ai_attitude": 4, "advice_usefulness": 5, "comments": ""}

DIAGNOSES = [code for code, _label in demo.DIAGNOSES]
CLIENT_FIELDS = CLIENT_MEASUREMENTS


@pytest.fixture
def study():
    return gaube_study()


def _url(name, participant, *args):
    return reverse(f"participant:{name}", args=[participant.token, *args])


def _state(participant):
    state = Participant.objects.values().get(pk=participant.pk)
    del state["last_seen_at"]  # stamped by every page of a step taking part
    return state, participant.trials.count(), Response.objects.count()


@fv.FUZZ
@given(agree=fv.choice(["yes", "no"]), extra=fv.entries(fv.GARBAGE, st.nothing()))
def test_consent(client, study, agree, extra):
    (participant,) = services.invitations_create(study=study, count=1)
    before = _state(participant)
    fields = {"agree": agree, "agree_extra": extra}
    response = client.post(_url("consent", participant), fv.posted(fields))
    participant.refresh_from_db()
    if fv.is_valid(fields, "agree"):
        assert response.status_code == 302
        wanted = "consented" if fv.last(fields, "agree") == "yes" else "declined"
        assert participant.status == wanted
    else:
        assert response.status_code == 400
        assert _state(participant) == before


SCREENING = {
    "specialty": fv.choice(code for code, _ in vocabulary.SPECIALTIES),
    "training_level": fv.choice(code for code, _ in vocabulary.TRAINING_LEVELS),
    "years_experience": fv.whole_number(0, 70),
    "prior_ai_use": fv.choice(code for code, _ in vocabulary.PRIOR_AI_USE),
}


@fv.FUZZ
@given(fields=st.fixed_dictionaries(SCREENING))
def test_screening(client, study, fields):
    (participant,) = services.invitations_create(study=study, count=1)
    participant = services.participant_consent(participant=participant, agreed=True)
    before = _state(participant)
    response = client.post(_url("screening", participant), fv.posted(fields))
    participant.refresh_from_db()
    if all(fv.is_valid(fields, name) for name in SCREENING):
        assert response.status_code == 302
        assert participant.status in ("in_progress", "ineligible")
        assert participant.specialty == fv.last(fields, "specialty")
        assert participant.years_experience == int(fv.last(fields, "years_experience"))
    else:
        assert response.status_code == 400
        assert _state(participant) == before


def _trial_fields(*, rating_max=7, confidence_max=7):
    return {
        "advice_rating": fv.scale(rating_max),
        "decision": fv.choice(["accept", "modify", "reject"]),
        "final_diagnosis": fv.choice(DIAGNOSES),
        "confidence": fv.scale(confidence_max),
        **{name: fv.anything() for name in CLIENT_FIELDS},
    }


def _client_expected(fields):
    """What the page's numbers become: all kept if each is absent or a plain number in range,
    else all dropped and flagged out_of_range (the answer is saved either way)."""
    sent = {name: fv.last(fields, name) for name in CLIENT_FIELDS}
    sent = {name: (value.strip() if value is not None else None) for name, value in sent.items()}
    sent = {name: (value or None) for name, value in sent.items()}

    def usable(name, value):
        limit = CLIENT_MAX_MS if name.startswith("client_") else CLIENT_COUNT_MAX
        return value.isascii() and value.isdigit() and len(value) <= 18 and int(value) <= limit

    if all(value is None or usable(name, value) for name, value in sent.items()):
        return None  # kept, subject to the clock checks
    return "out_of_range"


@fv.FUZZ
@given(fields=st.fixed_dictionaries(_trial_fields()))
def test_trial_answer_is_stored_whole_or_not_at_all(client, study, fields):
    participant = enrolled_participant(study)
    url = _url("trial", participant, 1)
    client.get(url)
    trial = participant.trials.select_related("advice").get(position=1)
    response = client.post(url, fv.posted(fields))
    stored = list(Response.objects.filter(trial=trial))
    answer_fields = ("advice_rating", "decision", "final_diagnosis", "confidence")
    valid = all(fv.is_valid(fields, name) for name in answer_fields) and not (
        fv.last(fields, "decision") == "accept"
        and fv.last(fields, "final_diagnosis") != trial.advice.diagnosis
    )
    if not valid:
        assert response.status_code == 400
        assert stored == []
        return
    assert response.status_code == 302
    (answer,) = stored
    assert (answer.advice_rating, answer.decision, answer.final_diagnosis, answer.confidence) == (
        int(fv.last(fields, "advice_rating")),
        fv.last(fields, "decision"),
        fv.last(fields, "final_diagnosis"),
        int(fv.last(fields, "confidence")),
    )
    if _client_expected(fields) == "out_of_range":
        assert answer.timing_flag == "out_of_range"
        assert (answer.client_active_ms, answer.viewer_interactions, answer.viewer_zoom) == (
            None,
            None,
            0,
        )
    else:
        assert answer.timing_flag in ("", "clock_skew")


@pytest.fixture
def reveal_study():
    return gaube_study(read_then_reveal=True, confidence_scale_max=5)


@fv.FUZZ
@given(
    fields=st.fixed_dictionaries(
        {"unaided_diagnosis": fv.choice(DIAGNOSES), "unaided_confidence": fv.scale(5)}
    )
)
def test_unaided_read(client, reveal_study, fields):
    participant = enrolled_participant(reveal_study)
    url = _url("trial", participant, 1)
    response = client.post(url, fv.posted(fields))
    trial = participant.trials.get(position=1)
    if fv.is_valid(fields, "unaided_diagnosis") and fv.is_valid(fields, "unaided_confidence"):
        assert response.status_code == 302
        assert (trial.unaided_diagnosis, trial.unaided_confidence) == (
            fv.last(fields, "unaided_diagnosis"),
            int(fv.last(fields, "unaided_confidence")),
        )
        assert trial.advice_shown_at is not None
    else:
        assert response.status_code == 400
        assert (trial.unaided_diagnosis, trial.unaided_confidence, trial.advice_shown_at) == (
            "",
            None,
            None,
        )


@pytest.fixture
def short_study():
    return gaube_study(cases_per_participant=2, inaccurate_per_participant=1)


def _questionnaire_fields():
    fields = {}
    for item in questionnaire.ITEMS:
        if item.type == "likert":
            fields[item.code] = fv.scale(item.scale[1])
        elif item.type == "text":
            fields[item.code] = fv.text(max_length=item.max_length)
        else:  # pragma: no cover - the items today are Likert and text
            raise AssertionError(f"no strategy for {item.type}")
    return fields


@fv.FUZZ
@given(fields=st.fixed_dictionaries(_questionnaire_fields()))
def test_questionnaire(client, short_study, fields):
    participant = enrolled_participant(short_study)
    answer_all(participant)
    before = _state(participant)
    response = client.post(_url("questionnaire", participant), fv.posted(fields))
    participant.refresh_from_db()
    if all(fv.is_valid(fields, item.code, required=item.required) for item in questionnaire.ITEMS):
        assert response.status_code == 302
        assert participant.questionnaire_at is not None
        assert participant.questionnaire["ai_attitude"] == int(fv.last(fields, "ai_attitude"))
    else:
        assert response.status_code == 400
        assert _state(participant) == before


def _at_debrief(study):
    participant = enrolled_participant(study)
    answer_all(participant)
    return services.questionnaire_record(participant=participant, answers=QUESTIONNAIRE)


@fv.FUZZ
@given(choice=fv.choice(["keep", "withdraw"]))
def test_debrief(client, short_study, choice):
    participant = _at_debrief(short_study)
    before = _state(participant)
    fields = {"choice": choice}
    response = client.post(_url("debrief", participant), fv.posted(fields))
    participant.refresh_from_db()
    if fv.is_valid(fields, "choice"):
        assert response.status_code == 302
        wanted = "completed" if fv.last(fields, "choice") == "keep" else "withdrawn"
        assert participant.status == wanted
    else:
        assert response.status_code == 400
        assert _state(participant) == before


@fv.FUZZ
@given(confirm=fv.choice(["yes"]), step=st.sampled_from(["consent", "screening", "trial"]))
def test_withdraw(client, study, confirm, step):
    (participant,) = services.invitations_create(study=study, count=1)
    if step != "consent":
        participant = services.participant_consent(participant=participant, agreed=True)
    if step == "trial":
        participant = services.participant_enrol(participant=participant, screening=RADIOLOGIST)
    before = _state(participant)
    fields = {"confirm": confirm}
    response = client.post(_url("withdraw", participant), fv.posted(fields))
    participant.refresh_from_db()
    if fv.is_valid(fields, "confirm"):
        assert response.status_code == 302
        assert participant.status == "withdrawn"
    else:
        assert response.status_code == 400
        assert _state(participant) == before


@pytest.fixture
def open_study(study):
    return services.self_enrolment_enable(study=study)


@fv.FUZZ
@given(body=st.dictionaries(fv.TEXT, st.lists(fv.GARBAGE, max_size=2), max_size=4))
def test_open_link_enrolment_takes_any_body(client, open_study, body):
    before = Participant.objects.count()
    response = client.post(
        reverse("participant:open_link", args=[open_study.self_enrolment_token]), body
    )
    assert response.status_code == 302
    assert Participant.objects.count() == before + 1


@fv.FUZZ
@given(
    token=fv.GARBAGE,
    page=st.sampled_from(["", "consent/", "about-you/", "case/1/", "withdraw/", "image/1/x.png"]),
    method=st.sampled_from(["get", "post"]),
)
def test_an_unknown_token_is_a_404_on_every_page(client, open_study, token, page, method):
    path = quote(token, safe="")
    if token in {"", ".", "..", open_study.self_enrolment_token}:
        return
    assert getattr(client, method)(f"/p/{path}/{page}").status_code == 404
    assert getattr(client, method)(f"/s/{path}/").status_code == 404
