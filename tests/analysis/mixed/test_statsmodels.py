"""The crossed LMM against a second outside implementation: statsmodels MixedLM.

statsmodels fits crossed random intercepts as variance components within a single all-rows group;
it is slow (seconds at 265 x 8) and memory-hungry, so only the Gaube-size set is compared.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.formula.api as smf

from analysis.mixed import fit_lmm
from analysis.mixed.blocks import single_threaded_blas
from tests.analysis.reference import RATING, load_dataset


@pytest.mark.parametrize("reml", [True, False])
def test_crossed_lmm_agrees_with_statsmodels_mixedlm(reml):
    # given the Gaube-size reference trials
    data = load_dataset("265x8").assign(everyone=1)
    fixed = RATING.split(" + (1|")[0]
    model = smf.mixedlm(
        fixed,
        data,
        groups="everyone",
        re_formula="0",
        vc_formula={"participant": "0 + C(participant)", "case": "0 + C(case)"},
    )

    # when
    # statsmodels forms dense n x q matrices; one BLAS thread avoids spinning on a busy machine.
    with warnings.catch_warnings(), single_threaded_blas():
        warnings.simplefilter("ignore")
        theirs = model.fit(reml=reml, method="lbfgs")
    ours = fit_lmm(RATING, data, reml=reml)

    # then
    assert list(theirs.fe_params.index) == list(ours.term_names())
    np.testing.assert_allclose(
        [e.estimate for e in ours.fixed_effects], theirs.fe_params.to_numpy(), atol=1e-4
    )
    np.testing.assert_allclose(
        [e.std_error for e in ours.fixed_effects],
        theirs.bse_fe.to_numpy(),
        rtol=2e-3,
    )
    components = dict(zip(model.exog_vc.names, theirs.vcomp, strict=True))
    assert ours.random_effects[0].variance == pytest.approx(components["participant"], rel=2e-3)
    assert ours.random_effects[1].variance == pytest.approx(components["case"], rel=2e-3)
    assert ours.residual_variance == pytest.approx(theirs.scale, rel=1e-3)
    assert ours.log_likelihood == pytest.approx(theirs.llf, abs=1e-3)
