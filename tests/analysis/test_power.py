import io

import numpy as np
import pandas as pd
import pytest

from analysis.describe import wilson_interval
from analysis.power import TARGETS, power_curve
from analysis.simulate import GaubeEffects

COLUMNS = [
    "target",
    "n",
    "n_sims",
    "n_converged",
    "n_significant",
    "power",
    "mc_ci_low",
    "mc_ci_high",
]


def test_power_is_reproducible_from_a_seed():
    first = power_curve(participants_per_stratum=[8], n_sims=3, seed=11)
    second = power_curve(participants_per_stratum=[8], n_sims=3, seed=11)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == COLUMNS


def test_parallel_simulation_gives_the_same_table():
    alone = power_curve(participants_per_stratum=[6, 8], n_sims=3, seed=4)
    parallel = power_curve(participants_per_stratum=[6, 8], n_sims=3, seed=4, jobs=2)
    pd.testing.assert_frame_equal(alone, parallel)


def test_adding_a_sample_size_does_not_change_the_others():
    alone = power_curve(participants_per_stratum=[8], n_sims=2, seed=3)
    with_more = power_curve(participants_per_stratum=[8, 10], n_sims=2, seed=3)
    pd.testing.assert_frame_equal(alone, with_more.iloc[:1])
    assert with_more["n"].tolist() == [8, 10]


def test_a_generator_can_replace_the_seed():
    first = power_curve(participants_per_stratum=[8], n_sims=2, rng=np.random.default_rng(4))
    second = power_curve(participants_per_stratum=[8], n_sims=2, rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(first, second)


def test_a_large_effect_has_full_power_with_a_wilson_interval():
    # given: the human label raises radiologists' ratings by 2 points, participants agree closely
    effects = GaubeEffects(
        rating_mean=4.0, rating_human_label_radiology=2.0, rating_participant_sd=0.1
    )
    # when
    table = power_curve(
        participants_per_stratum=[8],
        n_sims=3,
        effects=effects,
        target="rating_label_radiology",
        seed=5,
    )
    # then
    row = table.iloc[0]
    assert row["n_sims"] == 3
    assert row["n_converged"] == 3
    assert row["n_significant"] == row["n_converged"]
    assert row["power"] == 1.0
    low, high = wilson_interval(k=row["n_significant"], n=row["n_converged"])
    assert (row["mc_ci_low"], row["mc_ci_high"]) == (float(low), float(high))


def test_with_no_effect_the_rejection_rate_is_alpha_within_monte_carlo_error():
    # given: the label changes nothing for anyone (the null hypothesis of the target is true)
    effects = GaubeEffects(rating_human_label_radiology=0.0, rating_human_label_non_radiology=0.0)
    # when: 400 simulated studies of 24 physicians per stratum are tested at alpha = 0.05
    row = power_curve(
        participants_per_stratum=[24],
        n_sims=400,
        effects=effects,
        target="rating_label_radiology",
        alpha=0.05,
        seed=20261203,
    ).iloc[0]
    # then: nearly every fit is usable and the test's size is alpha, within 3 Monte Carlo SEs
    assert row["n_converged"] >= 396
    mc_se = (0.05 * 0.95 / row["n_converged"]) ** 0.5
    assert abs(row["power"] - 0.05) <= 3 * mc_se, row["power"]


def test_the_progress_bar_counts_simulations_on_one_line():
    stream = io.StringIO()
    power_curve(participants_per_stratum=[8], n_sims=2, seed=1, progress=True, stream=stream)
    assert stream.getvalue() == (
        "\rpower [" + "#" * 15 + "." * 15 + "] 1/2 n=8  \rpower [" + "#" * 30 + "] 2/2 n=8  \n"
    )


def test_every_target_names_a_study_model():
    assert set(TARGETS) == {
        "rating_source_x_stratum",
        "rating_label_radiology",
        "accuracy_source_x_stratum",
        "accuracy_label_inaccurate_radiology",
    }
    assert {target.model for target in TARGETS.values()} == {"rating", "accuracy"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": 1, "rng": np.random.default_rng(1)}, "give exactly one of seed and rng"),
        ({}, "give exactly one of seed and rng"),
        ({"seed": 1, "n_sims": 0}, "n_sims must be >= 1, got 0"),
        (
            {"seed": 1, "participants_per_stratum": [1]},
            "participants_per_stratum needs sizes >= 2 (one per arm at least)",
        ),
        ({"seed": 1, "alpha": 1.5}, "alpha must be between 0 and 1, got 1.5"),
        ({"seed": 1, "jobs": 0}, "jobs must be >= 1 (or -1 for one per core), got 0"),
        (
            {"seed": 1, "target": "speed"},
            "unknown power target 'speed' (choose from rating_source_x_stratum, "
            "rating_label_radiology, accuracy_source_x_stratum, "
            "accuracy_label_inaccurate_radiology)",
        ),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {"participants_per_stratum": [8], "n_sims": 1, **kwargs}
    with pytest.raises(ValueError) as caught:
        power_curve(**arguments)
    assert str(caught.value) == message
