"""study_report and the console's report page on too little data: a one-participant study with
constant answers is reported (200) with the reasons in plain words, never a 500."""

import pytest
from django.urls import reverse

from study import services
from study.models import AuditEvent
from tests.factories import INTERNIST, UserFactory, answer_all, enrolled_participant, gaube_study

pytestmark = pytest.mark.django_db

# answer_all accepts every piece of advice with rating 5 and confidence 6.
FOLLOWED = (
    "no variation in followed_advice: all advice was followed; "
    "at least 2 participants per stratum are needed (radiology has 1)"
)
RATING = (
    "no variation in advice_rating: it is 5 in every trial; "
    "at least 2 participants per stratum are needed (radiology has 1)"
)
CONFIDENCE = (
    "no variation in confidence: it is 6 in every trial; "
    "at least 2 participants per stratum are needed (radiology has 1)"
)


@pytest.fixture
def owner(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username="report-owner")


@pytest.fixture
def one_participant_study(owner):
    study = gaube_study(owner=owner)
    answer_all(enrolled_participant(study))
    return study


def test_given_one_participant_with_constant_answers_then_the_report_says_why(
    one_participant_study, owner
):
    # when (this raised OverflowError: math range error)
    html = services.study_report(study=one_participant_study, actor=owner)
    # then every model carries its reason and the descriptive tables are there
    assert html.count("The model could not be fitted:") == 4
    for reason in (FOLLOWED, RATING, CONFIDENCE):
        assert reason in html
    assert "at least 2 participants per stratum are needed (radiology has 1)" in html
    assert "only one stratum has data (radiology): no difference between strata" in html
    assert "Participants and test trials per stratum and arm" in html
    assert "Accuracy by stratum, advice label and advice correctness" in html
    assert AuditEvent.objects.filter(study=one_participant_study, action="report").count() == 1


def test_given_one_participant_with_constant_answers_then_the_console_page_answers_200(
    one_participant_study, owner, client
):
    # given a logged-in owner
    client.force_login(owner)
    # when the report is fitted (a job, run in process without a broker) and opened
    client.post(reverse("console:job_start", args=[one_participant_study.slug]), {"kind": "report"})
    response = client.get(reverse("console:report", args=[one_participant_study.slug]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert FOLLOWED in html
    assert "What these data cannot show:" in html
    assert "Descriptive results" in html


def test_given_one_participant_per_stratum_then_the_report_names_both_strata(owner, client):
    study = gaube_study(owner=owner)
    answer_all(enrolled_participant(study))
    answer_all(enrolled_participant(study, INTERNIST), decision="reject")
    client.force_login(owner)

    response = client.post(
        reverse("console:job_start", args=[study.slug]), {"kind": "report"}, follow=True
    )

    assert response.status_code == 200
    assert (
        "at least 2 participants per stratum are needed (non_radiology has 1, radiology has 1)"
        in response.content.decode()
    )


def test_given_no_answers_then_the_report_is_unavailable(owner):
    study = gaube_study(owner=owner)
    with pytest.raises(services.ReportUnavailable) as error:
        services.study_report(study=study, actor=owner)
    assert str(error.value) == "No answered trials yet: the report needs data."
