"""Blinding in every reference design: no page a participant reaches (the cases, their refused
re-posts, training feedback) says which advice is inaccurate, names another arm, or shows the
reference diagnosis of a test case beyond its place among the answer options."""

import re

import pytest
from django.urls import reverse

from study import services
from tests.factories import gaube_study
from tests.study.participant.modes import (
    ARM_LABELS,
    control,
    mode_study,
    participant_in,
    training_cases,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit")]

ANSWER = {
    "advice_rating": "4",
    "decision": "reject",
    "final_diagnosis": "normal",
    "confidence": "4",
    "agreed": "yes",
}
DESIGNS = {
    "gaube": ({}, "ai"),
    "agree": ({"response_mode": "agree_disagree"}, "human"),
    "category": ({"response_mode": "category", "ask_rating": False}, "ai"),
    "control": ({"arms": control()}, "human"),
    "global": ({"arms": {"ai": {"explanation": "global"}}, "examples": True}, "ai"),
    "feedback": ({"training_feedback": True, "cases_per_participant": 6}, "ai"),
}


def _outside_options(html: str) -> str:
    """The page without its list of diagnoses to choose from (a select or a radio list)."""
    html = re.sub(r"<select.*?</select>", "", html, flags=re.S)
    return re.sub(r"<fieldset[^>]*>\s*<legend>Your category.*?</fieldset>", "", html, flags=re.S)


@pytest.mark.parametrize("design", DESIGNS)
def test_no_page_gives_the_design_away(client, design):
    overrides, arm = DESIGNS[design]
    overrides = dict(overrides)
    if design == "feedback":
        study = gaube_study(open_study=False, inaccurate_per_participant=2, **overrides)
        training_cases(study)
        study = services.study_open(study=study)
    else:
        study = mode_study(**overrides)
    participant = participant_in(study, arm)
    own_label = participant.arm.label if participant.arm.gives_advice else None
    labels = dict(study.diagnoses.values_list("code", "label"))
    pages, inaccurate_seen = 0, 0
    entry = reverse("participant:entry", args=[participant.token])
    for trial in participant.trials.select_related("case", "advice").order_by("position"):
        url = reverse("participant:trial", args=[participant.token, trial.position])
        shown = [client.get(url), client.post(url, {"confidence": "99"})]
        assert [response.status_code for response in shown] == [200, 400]
        client.post(url, ANSWER)
        following = client.get(entry)["Location"]
        if "/feedback/" in following:
            shown.append(client.get(following))
            client.post(following)
        for response in shown:
            html = response.content.decode()
            pages += 1
            assert not re.search(r"inaccurate|incorrect|variant", html, re.I), design
            for label in ARM_LABELS:
                if label != own_label:
                    assert label not in html, (design, label)
            if not trial.is_training and trial.advice.variant == "inaccurate":
                inaccurate_seen += 1
                rest = _outside_options(html)
                reference = trial.case.reference_diagnosis
                assert labels[reference] not in rest, (design, trial.position)
                assert f'"{reference}"' not in rest, (design, trial.position)
    assert pages >= 16
    assert inaccurate_seen >= 2
