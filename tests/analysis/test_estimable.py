"""analysis.estimable: the plain-words reasons a study model cannot be fitted, and what the data
cannot show."""

from __future__ import annotations

import pytest

from analysis.estimable import cell_text, data_limits, model_obstacles
from tests.analysis.conftest import build_trials

FACTORS = ("advice_correct", "advice_source", "stratum")


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (
            {"advice_correct": False, "advice_source": "ai", "stratum": "radiology"},
            "inaccurate advice, AI label, radiology",
        ),
        ({"advice_correct": True, "advice_source": "human"}, "accurate advice, human label"),
        ({"stratum": "non_radiology"}, "non_radiology"),
    ],
)
def test_a_condition_is_said_in_words(cell, text):
    assert cell_text(cell) == text


def test_an_empty_table_has_no_trials():
    trials = build_trials([("p1", "radiology", "ai", [("A", True, True)])]).iloc[:0]
    assert model_obstacles(trials, response="confidence", family="gaussian", factors=()) == (
        "there are no test trials",
    )


def test_a_study_the_models_can_use_has_no_obstacles():
    participants = [
        (f"p{n}", stratum, source, [("A", True, n % 2 == 0), ("B", False, n % 3 == 0)])
        for n, (stratum, source) in enumerate(
            [(s, a) for s in ("radiology", "non_radiology") for a in ("ai", "human")] * 3
        )
    ]
    trials = build_trials(participants, ratings=[(n * 5) % 7 + 1 for n in range(24)])
    assert (
        model_obstacles(trials, response="advice_rating", family="gaussian", factors=FACTORS) == ()
    )


def test_two_arms_showing_one_label_say_only_that_label_was_shown():
    trials = build_trials(
        [
            ("p1", "radiology", "ai", [("A", True, True)]),
            ("p2", "radiology", "ai", [("A", False, True)]),
        ]
    )
    trials.loc[1, "arm"] = "ai_other_persona"
    assert data_limits(trials) == (
        "only the AI label was shown: no human-vs-AI label contrast",
        "only one stratum has data (radiology): no difference between strata",
    )


def test_all_inaccurate_advice_says_there_is_no_accurate_advice_contrast():
    trials = build_trials(
        [
            ("p1", "radiology", "ai", [("A", False, True)]),
            ("p2", "non_radiology", "human", [("A", False, False)]),
        ]
    )
    assert data_limits(trials) == ("all advice was inaccurate: no accurate-advice contrast",)


def test_too_few_participants_under_one_label_are_counted():
    trials = build_trials(
        [
            ("p1", "radiology", "ai", [("A", True, True), ("B", False, False)]),
            ("p2", "radiology", "ai", [("A", True, False), ("B", False, True)]),
            ("p3", "radiology", "human", [("A", True, True), ("B", False, False)]),
        ]
    )
    assert model_obstacles(
        trials, response="followed_advice", family="binomial", factors=FACTORS[:2]
    ) == ("at least 2 participants per advice label are needed (human has 1)",)
