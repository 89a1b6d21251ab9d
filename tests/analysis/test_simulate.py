import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import norm

from analysis.data import TRIALS_COLUMNS, load_trials
from analysis.describe import susceptibility_table
from analysis.simulate import (
    DIAGNOSES,
    GaubeEffects,
    RandomIntercepts,
    SimulatedPhysician,
    simulate_trials,
)

# Fixed effects only (no random intercepts), with a label effect in both strata: every cell's
# rates then have closed forms.
FIXED = GaubeEffects(
    human_label_log_odds_radiology=0.7,
    human_label_log_odds_non_radiology=-0.4,
    participant_sd=0.0,
    case_sd=0.0,
    rating_participant_sd=0.0,
    rating_case_sd=0.0,
    confidence_participant_sd=0.0,
    confidence_case_sd=0.0,
)
NO_CASE_EFFECT = RandomIntercepts(0.0, 0.0, 0.0)


def _follow_log_odds(effects: GaubeEffects, stratum: str, source: str, accurate: bool) -> float:
    suffix = "radiology" if stratum == "radiology" else "non_radiology"
    kind = "accurate" if accurate else "inaccurate"
    base = getattr(effects, f"follow_{kind}_log_odds_{suffix}")
    return base + (source == "human") * getattr(effects, f"human_label_log_odds_{suffix}")


def _rounded_mean(mean: float, sd: float, top: int = 7) -> float:
    """E[clip(round(X), 1, top)] for X ~ N(mean, sd): the rating a cell should average."""
    cuts = norm.cdf((np.arange(1, top) + 0.5 - mean) / sd)  # P(X < k + 0.5), k = 1..top-1
    probabilities = np.diff(np.concatenate([[0.0], cuts, [1.0]]))
    return float(np.dot(np.arange(1, top + 1), probabilities))


def _within(observed: float, expected: float, n: int, sd: float) -> bool:
    """Within 4 Monte Carlo standard errors."""
    return abs(observed - expected) <= 4 * sd / np.sqrt(n)


def test_the_same_seed_gives_the_same_table():
    first = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(5))
    second = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(5))
    pd.testing.assert_frame_equal(first, second)


def test_a_different_seed_redraws_the_answers_of_the_same_design():
    first = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(5))
    second = simulate_trials(n_radiology=10, n_non_radiology=8, rng=np.random.default_rng(6))
    # the design's shape is fixed by the arguments ...
    for table in (first, second):
        assert len(table) == 18 * 8
        assert table.drop_duplicates("participant")["stratum"].value_counts().to_dict() == {
            "radiology": 10,
            "non_radiology": 8,
        }
        assert table.groupby("participant")["advice_correct"].sum().eq(6).all()
    # ... the answers are drawn anew: most ratings and many decisions change
    assert (first["advice_rating"] != second["advice_rating"]).mean() > 0.3
    assert (first["final_diagnosis"] != second["final_diagnosis"]).sum() > 5


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


def test_a_simulated_population_reproduces_the_configured_rates():
    # given: 3000 physicians per stratum, no random intercepts, label effects in both strata
    trials = simulate_trials(
        n_radiology=3000, n_non_radiology=3000, effects=FIXED, rng=np.random.default_rng(9)
    )
    cells = trials.groupby(["stratum", "advice_source", "advice_correct"])
    assert len(cells) == 8
    for (stratum, source, accurate), cell in cells:
        n = len(cell)
        # following the advice: expit of the configured log-odds
        p = expit(_follow_log_odds(FIXED, stratum, source, accurate))
        observed = cell["followed_advice"].mean()
        assert _within(observed, p, n, np.sqrt(p * (1 - p))), (stratum, source, accurate)
        # the rating: the configured latent mean, rounded and clipped to 1..7
        mean = (
            FIXED.rating_mean
            + (not accurate) * FIXED.rating_inaccurate_shift
            + (stratum == "radiology") * FIXED.rating_radiology_shift
            + (source == "human")
            * (
                FIXED.rating_human_label_radiology
                if stratum == "radiology"
                else FIXED.rating_human_label_non_radiology
            )
        )
        expected = _rounded_mean(mean, FIXED.rating_residual_sd)
        assert _within(cell["advice_rating"].mean(), expected, n, FIXED.rating_residual_sd)
    followed = trials[trials["followed_advice"]]
    share = (followed["decision"] == "modify").mean()
    assert _within(share, FIXED.modify_share, len(followed), 0.5)
    rejected_inaccurate = trials[~trials["followed_advice"] & ~trials["advice_correct"]]
    recovered = rejected_inaccurate["correct_diagnosis"].mean()
    assert _within(recovered, FIXED.recover_share, len(rejected_inaccurate), 0.5)
    # rejecting accurate advice never lands on the reference or the advice
    rejected_accurate = trials[~trials["followed_advice"] & trials["advice_correct"]]
    assert not rejected_accurate["correct_diagnosis"].any()


def test_the_per_trial_physician_draws_from_the_same_model():
    # given: one simulated radiologist answering 6000 trials of inaccurate advice labelled human
    physician = SimulatedPhysician(
        stratum="radiology", effects=FIXED, rng=np.random.default_rng(10)
    )
    answers = [
        physician.answer(
            case=NO_CASE_EFFECT,
            advice_source="human",
            advice_correct=False,
            advised_diagnosis="pneumonia",
            reference_diagnosis="pneumothorax",
            diagnoses=DIAGNOSES,
        )
        for _ in range(6000)
    ]
    # then: the follow rate and the rating are simulate_trials' for that cell
    followed = np.mean([a.final_diagnosis == "pneumonia" for a in answers])
    p = expit(_follow_log_odds(FIXED, "radiology", "human", False))
    assert _within(followed, p, 6000, np.sqrt(p * (1 - p)))
    assert physician.follow_probability(
        case=NO_CASE_EFFECT, advice_source="human", advice_correct=False
    ) == pytest.approx(p)
    mean = FIXED.rating_mean + FIXED.rating_inaccurate_shift + FIXED.rating_human_label_radiology
    expected = _rounded_mean(mean, FIXED.rating_residual_sd)
    rating = np.mean([a.advice_rating for a in answers])
    assert _within(rating, expected, 6000, FIXED.rating_residual_sd)
    assert {a.decision for a in answers if a.final_diagnosis == "pneumonia"} <= {
        "accept",
        "modify",
    }
    assert {a.decision for a in answers if a.final_diagnosis != "pneumonia"} == {"reject"}


def test_a_plan_is_simulated_exactly_as_allocated():
    # given: a design as allocated elsewhere (two participants, one with a case the other lacks)
    plan = pd.DataFrame(
        {
            "participant": ["r1", "r1", "r1", "n1", "n1"],
            "stratum": ["radiology"] * 3 + ["non_radiology"] * 2,
            "arm": ["A", "A", "A", "B", "B"],
            "advice_source": ["ai", "human", "ai", "human", "human"],
            "case": ["X", "Y", "Z", "Y", "X"],
            "position": [3, 1, 2, 1, 2],
            "advice_correct": [True, False, True, True, True],
            "specialty": ["radiology"] * 3 + ["emergency_medicine"] * 2,
        }
    )
    # when
    trials = simulate_trials(plan=plan, rng=np.random.default_rng(1), study="pilot")
    # then: the table meets the contract and carries the plan row for row, in reading order
    pd.testing.assert_frame_equal(load_trials(trials), trials)
    carried = trials[["participant", "case", "position", "arm", "advice_source", "specialty"]]
    assert carried.to_numpy().tolist() == [
        ["r1", "Y", 1, "A", "human", "radiology"],
        ["r1", "Z", 2, "A", "ai", "radiology"],
        ["r1", "X", 3, "A", "ai", "radiology"],
        ["n1", "Y", 1, "B", "human", "emergency_medicine"],
        ["n1", "X", 2, "B", "human", "emergency_medicine"],
    ]
    assert trials["advice_correct"].tolist() == [False, True, True, True, True]
    assert set(trials["study"]) == {"pilot"}
    assert (trials["shown_at"].diff().dropna() > pd.Timedelta(0)).iloc[[0, 1, 3]].all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda plan: plan.drop(columns="arm"), "the plan lacks columns: arm"),
        (lambda plan: plan.iloc[:0], "the plan has no trials"),
        (
            lambda plan: pd.concat([plan, plan.iloc[:1]]),
            "the plan gives a participant the same case twice",
        ),
    ],
)
def test_a_broken_plan_is_refused(change, message):
    plan = pd.DataFrame(
        {
            "participant": ["r1", "r1"],
            "stratum": ["radiology", "radiology"],
            "arm": ["A", "A"],
            "advice_source": ["ai", "ai"],
            "case": ["X", "Y"],
            "position": [1, 2],
            "advice_correct": [True, False],
        }
    )
    with pytest.raises(ValueError, match="^" + message + "$"):
        simulate_trials(plan=change(plan), rng=np.random.default_rng(0))
