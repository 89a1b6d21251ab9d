"""Fixtures of the mixed-model tests: the 265 x 8 reference study and its two fits, fitted once."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.mixed import MixedResult, fit_glmm, fit_lmm
from tests.analysis.reference import ACCURACY, RATING, load_dataset


@pytest.fixture(scope="package")
def small() -> pd.DataFrame:
    return load_dataset("265x8")


@pytest.fixture(scope="package")
def accuracy_fit(small) -> MixedResult:
    return fit_glmm(ACCURACY, small)


@pytest.fixture(scope="package")
def rating_fit(small) -> MixedResult:
    return fit_lmm(RATING, small)
