import numpy as np
import pandas as pd
import pytest

from analysis.data import TRIALS_COLUMNS, load_trials
from analysis.describe import susceptibility_table
from analysis.simulate import GaubeEffects, simulate_trials


def test_the_same_seed_gives_the_same_table():
    first = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(5))
    second = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(5))
    pd.testing.assert_frame_equal(first, second)


def test_different_seeds_give_different_tables():
    first = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(5))
    second = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(6))
    assert not first.equals(second)


def test_a_simulated_table_meets_the_trials_contract(simulated_trials):
    # load_trials recomputes followed/correct columns and checks every code and range.
    assert tuple(simulated_trials.columns) == TRIALS_COLUMNS
    pd.testing.assert_frame_equal(load_trials(simulated_trials), simulated_trials)


def test_the_design_is_gaube_2021_shaped():
    # given
    trials = simulate_trials(n_radiology=16, n_non_radiology=12, rng=np.random.default_rng(1))
    # then: participants per stratum, 8 cases each, exactly 2 inaccurate, arms balanced
    participants = trials.drop_duplicates("participant")
    assert participants["stratum"].value_counts().to_dict() == {
        "radiology": 16,
        "non_radiology": 12,
    }
    per_participant = trials.groupby("participant").agg(
        cases=("case", "nunique"),
        inaccurate=("advice_correct", lambda s: int((~s).sum())),
        positions=("position", lambda s: tuple(sorted(s))),
    )
    assert set(per_participant["cases"]) == {8}
    assert set(per_participant["inaccurate"]) == {2}
    assert set(per_participant["positions"]) == {tuple(range(1, 9))}
    arms = participants.groupby("stratum")["arm"].value_counts().to_dict()
    assert arms == {
        ("non_radiology", "ai"): 6,
        ("non_radiology", "human"): 6,
        ("radiology", "ai"): 8,
        ("radiology", "human"): 8,
    }
    assert (trials["arm"] == trials["advice_source"]).all()


def test_every_case_is_inaccurate_equally_often_within_a_stratum_and_arm():
    # 8 participants per stratum x arm, 2 inaccurate of 8 cases: every case inaccurate twice.
    trials = simulate_trials(n_radiology=16, n_non_radiology=16, rng=np.random.default_rng(2))
    counts = trials[~trials["advice_correct"]].groupby(["stratum", "arm", "case"]).size().unstack()
    assert counts.shape == (4, 8)
    assert set(counts.to_numpy().ravel()) == {2}


def test_default_effects_reproduce_gaube_2021_susceptibility():
    # given: 20 studies of 500 per stratum (averaging over the case random effects)
    rng = np.random.default_rng(2021)
    shares = []
    for _ in range(20):
        trials = simulate_trials(n_radiology=500, n_non_radiology=500, rng=rng)
        table = susceptibility_table(trials)
        shares.append(table.set_index(["stratum", "followed"])["share"])
    mean = pd.concat(shares, axis=1).mean(axis=1)
    # then: within 2 percentage points of the published shares
    assert mean[("radiology", "all")] == pytest.approx(0.2754, abs=0.02)
    assert mean[("non_radiology", "all")] == pytest.approx(0.4173, abs=0.02)
    assert mean[("radiology", "none")] == pytest.approx(0.2826, abs=0.02)
    assert mean[("non_radiology", "none")] == pytest.approx(0.1732, abs=0.02)


def test_radiologists_rate_ai_advice_lower_by_default():
    trials = simulate_trials(n_radiology=400, n_non_radiology=400, rng=np.random.default_rng(3))
    means = trials.groupby(["stratum", "advice_source"])["advice_rating"].mean()
    assert means[("radiology", "human")] - means[("radiology", "ai")] > 0.25
    assert abs(means[("non_radiology", "human")] - means[("non_radiology", "ai")]) < 0.15
    accurate = trials[trials["advice_correct"]]
    assert accurate["correct_decision"].mean() == pytest.approx(0.9, abs=0.03)


def test_the_label_effect_on_following_is_a_parameter():
    effects = GaubeEffects(human_label_log_odds_radiology=3.0, case_sd=0.0, participant_sd=0.0)
    trials = simulate_trials(
        n_radiology=200, n_non_radiology=2, effects=effects, rng=np.random.default_rng(4)
    )
    radiology = trials[(trials["stratum"] == "radiology") & ~trials["advice_correct"]]
    followed = radiology.groupby("advice_source")["followed_advice"].mean()
    assert followed["human"] - followed["ai"] > 0.35


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inaccurate": 9}, "inaccurate must be between 0 and cases (8), got 9"),
        ({"cases": 0}, "cases must be >= 1, got 0"),
        ({"n_radiology": 0, "n_non_radiology": 0}, "at least one participant is needed"),
        ({"n_radiology": -1}, "participant counts must be >= 0"),
    ],
)
def test_impossible_designs_are_refused(kwargs, message):
    with pytest.raises(ValueError) as caught:
        simulate_trials(rng=np.random.default_rng(0), **kwargs)
    assert str(caught.value) == message
