"""axe-core on every participant page at every step and state (issue 11, point 6): no serious or
critical WCAG 2.0/2.1 A/AA or best-practice violation. One browser context per group of pages
(the pages before the cases, each kind of trial, the pages after them), one axe run per page;
each page is checked to be the one meant (its path, its error summary) before axe runs, so a
redirect cannot pass for it. The console's pages are in test_axe_console_e2e.py."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from study import services
from study.models import Participant
from tests.e2e.axe import (
    Visit,
    axe_violations,
    explanation_study,
    page_at,
    visits_audit,
)
from tests.factories import INTERNIST, RADIOLOGIST, gaube_study
from tests.study.participant.modes import control, mode_study, participant_in, training_cases

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open(url: str, ends_with: str, status: int = 200, *, shows: str = "h1"):
    return page_at(url, status=status, ends_with=ends_with, shows=shows)


def _then_submit_empty(reach: Callable[[Page], None]) -> Callable[[Page], None]:
    """The page, then its form sent as it is: the answers the page asks for are missing."""

    def submit(page: Page) -> None:
        reach(page)
        form = page.locator("main form[method=post]").last
        with page.expect_navigation():
            form.locator("button[type=submit]").first.click()
        expect(page.locator("#error-summary")).to_be_visible()

    return submit


def _url(live_server, participant: Participant, suffix: str = "") -> str:
    return f"{live_server.url}/p/{participant.token}/{suffix}"


def test_given_the_pages_before_the_cases_then_axe_finds_no_serious_violation(
    page, live_server, reference_study, participant_at
):
    study = services.self_enrolment_enable(study=reference_study())
    declined = services.participant_consent(
        participant=participant_at(study, "consent"), agreed=False
    )
    ineligible = services.participant_enrol(
        participant=participant_at(study, "screening"),
        screening=services.Screening(**{**INTERNIST.__dict__, "specialty": "other"}),
    )
    reissued = participant_at(study, "screening")
    Participant.objects.filter(pk=reissued.pk).update(status=Participant.Status.REISSUED)
    full_study = services.stratum_quotas_set(study=reference_study(), quotas={"radiology": 0})
    full = services.participant_enrol(
        participant=participant_at(full_study, "screening"), screening=RADIOLOGIST
    )
    assert [declined.status, ineligible.status, full.status] == [
        Participant.Status.DECLINED,
        Participant.Status.INELIGIBLE,
        Participant.Status.STRATUM_FULL,
    ]
    closed_study = services.self_enrolment_enable(study=reference_study())
    closed = participant_at(closed_study, "consent")
    services.study_close(study=closed_study)
    link = f"{live_server.url}/s/{study.self_enrolment_token}/"
    consent = _open(_url(live_server, participant_at(study, "consent")), "/consent/")
    screening = _open(_url(live_server, participant_at(study, "screening")), "/about-you/")

    found = visits_audit(
        page,
        [
            ("open link", _open(link, link)),
            ("consent", consent),
            ("consent with errors", _then_submit_empty(consent)),
            ("declined", _open(_url(live_server, declined), "/status/")),
            ("screening", screening),
            ("screening with errors", _then_submit_empty(screening)),
            ("ineligible", _open(_url(live_server, ineligible), "/status/")),
            ("stratum full", _open(_url(live_server, full), "/status/")),
            ("slot reissued", _open(_url(live_server, reissued), "/status/")),
            ("closed study", _open(_url(live_server, closed), "/consent/", status=403)),
            (
                "closed study's open link",
                _open(f"{live_server.url}/s/{closed_study.self_enrolment_token}/", "/", 403),
            ),
            ("unknown invitation", _open(_url(live_server, Participant(token="x" * 22)), "/", 404)),
        ],
    )

    assert found == [], "\n".join(found)


def _trial_visits(live_server, participant: Participant, name: str, shows: str) -> list[Visit]:
    trial = _open(_url(live_server, participant), "/case/1/", shows=shows)
    return [(name, trial), (f"{name} with errors", _then_submit_empty(trial))]


def _reveal_visits(live_server, study) -> list[Visit]:
    before = participant_in(study, "ai")
    after = participant_in(study, "human")
    first = services.trial_show(trial=after.trials.get(position=1))
    services.trial_unaided_record(trial=first, diagnosis="pneumonia", confidence=4)
    return [
        *_trial_visits(
            live_server, before, "read-then-reveal, before the advice", "#id_unaided_diagnosis"
        ),
        *_trial_visits(live_server, after, "read-then-reveal, after the advice", ".advice-card"),
    ]


def _feedback_visits(live_server, study) -> list[Visit]:
    participant = participant_in(study, "ai")
    first = participant.trials.select_related("case", "advice").get(position=1)
    assert first.case.is_training
    services.response_record(
        trial=services.trial_show(trial=first),
        answer=services.Answer(
            advice_rating=5, decision="accept", final_diagnosis=first.advice.diagnosis, confidence=6
        ),
    )
    return [("training feedback", _open(_url(live_server, participant), "/case/1/feedback/"))]


def _explanation_visits(live_server, study) -> list[Visit]:
    """The local-explanation arm (its annotation drawn) and the global (example strip); agree is
    the only answer asked, so these pages have no error state."""
    return [
        (
            "local explanation, agree/disagree",
            _open(
                _url(live_server, participant_in(study, "ai")), "/case/1/", shows="svg.annotation"
            ),
        ),
        (
            "global explanation, agree/disagree",
            _open(
                _url(live_server, participant_in(study, "human")),
                "/case/1/",
                shows=".example-strip img",
            ),
        ),
    ]


def _feedback_study():
    study = gaube_study(
        open_study=False,
        cases_per_participant=6,
        inaccurate_per_participant=2,
        training_feedback=True,
    )
    training_cases(study)
    return services.study_open(study=study)


def _arm(name: str, arm: str, shows: str = "[data-image]"):
    return lambda server, study: _trial_visits(server, participant_in(study, arm), name, shows)


# Each kind of trial page: its study (with the demo radiograph) and the page states to visit.
TRIALS = {
    "gaube": (lambda: mode_study(), _arm("gaube", "ai")),
    "agree_disagree": (
        lambda: mode_study(response_mode="agree_disagree", ask_rating=False),
        _arm("agree/disagree", "ai", "#id_agreed"),
    ),
    "category": (
        lambda: mode_study(response_mode="category", ask_rating=False, ask_decision=False),
        _arm("category", "human"),
    ),
    "control": (lambda: mode_study(arms=control("human")), _arm("no-advice control", "human")),
    "reveal": (lambda: mode_study(read_then_reveal=True), _reveal_visits),
    "feedback": (_feedback_study, _feedback_visits),
    "explanations": (explanation_study, _explanation_visits),
}


@pytest.mark.parametrize("kind", TRIALS)
def test_given_each_kind_of_trial_page_then_axe_finds_no_serious_violation(
    kind, page, live_server, with_images
):
    make_study, visits_of = TRIALS[kind]
    visits = visits_of(live_server, with_images(make_study()))

    found = visits_audit(page, visits)

    assert found == [], "\n".join(found)


def test_given_the_pages_after_the_cases_then_axe_finds_no_serious_violation(
    page, live_server, reference_study, participant_at
):
    study = reference_study()
    questionnaire = _open(
        _url(live_server, participant_at(study, "questionnaire")), "/questionnaire/"
    )
    debrief = _open(_url(live_server, participant_at(study, "debrief")), "/debrief/")
    taking_part = participant_at(study, "trial")
    withdrawn = participant_at(study, "trial")
    services.participant_withdraw(participant=withdrawn, by="participant")

    found = visits_audit(
        page,
        [
            ("questionnaire", questionnaire),
            ("questionnaire with errors", _then_submit_empty(questionnaire)),
            ("debrief", debrief),
            ("done", _open(_url(live_server, participant_at(study, "done")), "/done/")),
            (
                "withdraw confirmation",
                _open(_url(live_server, taking_part, "withdraw/"), "/withdraw/"),
            ),
            ("withdrawn", _open(_url(live_server, withdrawn), "/withdrawn/")),
        ],
    )

    assert found == [], "\n".join(found)


def test_given_a_page_breaking_rules_then_the_axe_check_names_each_rule_and_element(page):
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main><h1>Broken</h1>'
        '<img src="data:," id="photo"><button id="nameless"></button>'
        '<p id="faint" style="color:#ccc;background:#fff">Faint text</p>'
        '<input id="unlabelled"></main></body></html>'
    )

    found = axe_violations(page)

    assert [text.split(" ", 1)[0] for text in found] == [
        "button-name",
        "color-contrast",
        "image-alt",
        "label",
    ]
    assert "#faint: Fix any of the following: Element has insufficient color contrast" in found[1]
    assert all(" on about:blank\n" in text for text in found)
