import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.describe import (
    accuracy_table,
    confidence_table,
    participant_flow,
    rating_table,
    response_time_table,
    susceptibility_table,
    wilson_interval,
)

Z95 = 1.959963984540054  # the 97.5 % standard normal quantile


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:857, Table I, method 3 (Wilson score, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombes_worked_examples(k, n, low, high):
    got_low, got_high = wilson_interval(k=k, n=n)
    assert round(float(got_low), 4) == low
    assert round(float(got_high), 4) == high


@pytest.mark.parametrize("n", [1, 10, 265])
def test_wilson_upper_limit_for_zero_successes_is_closed_form(n):
    # k = 0: the upper limit solves to z^2 / (n + z^2).
    low, high = wilson_interval(k=0, n=n)
    assert low == 0.0
    assert float(high) == pytest.approx(Z95**2 / (n + Z95**2), abs=1e-12)


@pytest.mark.parametrize("n", [2, 10, 138])
def test_wilson_half_width_at_one_half_is_closed_form(n):
    # k = n/2: the interval is 1/2 +/- z / (2 sqrt(n + z^2)).
    low, high = wilson_interval(k=n / 2, n=n)
    half = Z95 / (2 * math.sqrt(n + Z95**2))
    assert float(low) == pytest.approx(0.5 - half, abs=1e-12)
    assert float(high) == pytest.approx(0.5 + half, abs=1e-12)


def test_wilson_of_no_trials_is_undefined():
    low, high = wilson_interval(k=0, n=0)
    assert np.isnan(low)
    assert np.isnan(high)


@given(
    st.integers(min_value=1, max_value=10_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_wilson_contains_the_estimate_and_mirrors(k_n):
    k, n = k_n
    low, high = wilson_interval(k=k, n=n)
    mirror_low, mirror_high = wilson_interval(k=n - k, n=n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert float(low) == pytest.approx(1 - float(mirror_high), abs=1e-12)
    assert float(high) == pytest.approx(1 - float(mirror_low), abs=1e-12)


def _susceptibility_study(trials_factory):
    # radiology: followed 2/2, 1/2, 0/2, 0/2 of their inaccurate cases; non_radiology: 2/2, 2/2,
    # 1/2 and one participant who saw only accurate advice (not counted).
    def person(pid, stratum, source, followed):
        inaccurate = [("X", False, followed[0]), ("Y", False, followed[1])]
        return (pid, stratum, source, [("A", True, True), *inaccurate])

    return trials_factory(
        [
            person("r1", "radiology", "ai", (True, True)),
            person("r2", "radiology", "human", (True, False)),
            person("r3", "radiology", "ai", (False, False)),
            person("r4", "radiology", "human", (False, False)),
            person("n1", "non_radiology", "ai", (True, True)),
            person("n2", "non_radiology", "human", (True, True)),
            person("n3", "non_radiology", "ai", (False, True)),
            ("n4", "non_radiology", "human", [("A", True, True), ("B", True, False)]),
        ]
    )


def test_susceptibility_counts_participants_by_how_much_inaccurate_advice_they_followed(
    trials_factory,
):
    # given
    trials = _susceptibility_study(trials_factory)
    # when
    table = susceptibility_table(trials)
    # then
    assert list(table.columns) == ["stratum", "followed", "k", "n", "share", "ci_low", "ci_high"]
    rows = [tuple(r) for r in table[["stratum", "followed", "k", "n"]].itertuples(index=False)]
    assert rows == [
        ("non_radiology", "all", 2, 3),
        ("non_radiology", "some", 1, 3),
        ("non_radiology", "none", 0, 3),
        ("radiology", "all", 1, 4),
        ("radiology", "some", 1, 4),
        ("radiology", "none", 2, 4),
    ]
    assert table["share"].tolist() == [2 / 3, 1 / 3, 0.0, 0.25, 0.25, 0.5]
    low, high = wilson_interval(k=table["k"].to_numpy(), n=table["n"].to_numpy())
    np.testing.assert_array_equal(table["ci_low"], low)
    np.testing.assert_array_equal(table["ci_high"], high)


def test_susceptibility_by_stratum_and_label(trials_factory):
    trials = _susceptibility_study(trials_factory)
    table = susceptibility_table(trials, by=("stratum", "advice_source"))
    radiology_ai = table[(table["stratum"] == "radiology") & (table["advice_source"] == "ai")]
    assert radiology_ai[["followed", "k", "n"]].values.tolist() == [
        ["all", 1, 2],
        ["some", 0, 2],
        ["none", 1, 2],
    ]


def test_accuracy_table_counts_correct_trials_per_cell(small_trials):
    table = accuracy_table(small_trials)
    decision = table[table["outcome"] == "correct_decision"]
    assert decision[["stratum", "advice_source", "advice_correct", "n", "k"]].values.tolist() == [
        ["non_radiology", "human", False, 1, 1],
        ["non_radiology", "human", True, 1, 1],
        ["radiology", "ai", False, 1, 0],
        ["radiology", "ai", True, 1, 1],
    ]
    diagnosis = table[table["outcome"] == "correct_diagnosis"]
    assert diagnosis["k"].tolist() == [1, 1, 0, 1]
    assert list(table.columns) == [
        "outcome",
        "stratum",
        "advice_source",
        "advice_correct",
        "n",
        "k",
        "proportion",
        "ci_low",
        "ci_high",
    ]


def test_rating_and_confidence_tables_summarise_each_cell(trials_factory):
    # given: one radiologist, AI label, three accurate cases rated 2, 4, 7
    trials = trials_factory(
        [("p1", "radiology", "ai", [("A", True, True), ("B", True, True), ("C", True, False)])],
        ratings=[2, 4, 7],
        confidences=[5, 5, 6],
    )
    # when
    ratings = rating_table(trials)
    confidence = confidence_table(trials)
    # then
    assert ratings.to_dict("records") == [
        {
            "stratum": "radiology",
            "advice_source": "ai",
            "advice_correct": True,
            "n": 3,
            "mean": pytest.approx(13 / 3),
            "sd": pytest.approx(math.sqrt(19 / 3)),
            "median": 4.0,
        }
    ]
    assert confidence["mean"].tolist() == [pytest.approx(16 / 3)]
    assert confidence["median"].tolist() == [5.0]


def test_response_time_table_gives_median_and_quartiles(trials_factory):
    trials = trials_factory(
        [
            (
                "p1",
                "radiology",
                "ai",
                [("A", True, True), ("B", True, True), ("C", True, True), ("D", True, True)],
            )
        ],
        response_ms=[1000, 2000, 3000, 10000],
    )
    table = response_time_table(trials)
    assert table[["n", "median_ms", "q1_ms", "q3_ms", "iqr_ms"]].values.tolist() == [
        [4, 2500.0, 1750.0, 4750.0, 3000.0]
    ]


def test_participant_flow_counts_participants_and_trials_per_stratum_and_arm(trials_factory):
    trials = _susceptibility_study(trials_factory)
    flow = participant_flow(trials)
    assert flow.values.tolist() == [
        ["non_radiology", "ai", "ai", 2, 6, 4, 3],
        ["non_radiology", "human", "human", 2, 5, 2, 4],
        ["radiology", "ai", "ai", 2, 6, 4, 3],
        ["radiology", "human", "human", 2, 6, 4, 3],
    ]
    assert list(flow.columns) == [
        "stratum",
        "arm",
        "advice_source",
        "participants",
        "trials",
        "inaccurate_trials",
        "cases",
    ]
