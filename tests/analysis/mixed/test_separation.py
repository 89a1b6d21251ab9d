"""Konis' linear program finds complete and quasi-complete separation, and only that."""

from __future__ import annotations

import pandas as pd

from analysis.mixed import separation
from analysis.mixed.design import build_design


def _design(y, x, *, formula="y ~ x + (1|g)"):
    data = pd.DataFrame({"y": y, "x": x, "g": list("abcd" * (len(y) // 4))})
    return build_design(formula, data, groups=None, family="binomial")


def test_complete_separation_names_the_separating_term():
    design = _design([0, 0, 0, 0, 1, 1, 1, 1], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    assert "x" in separation.separating_terms(design)


def test_quasi_complete_separation_of_one_level_is_found():
    # every row with x = 1 has y = 1; x = 0 has both outcomes
    design = _design([0, 1, 0, 1, 1, 1, 1, 1], ["u", "u", "u", "u", "v", "v", "v", "v"])
    assert separation.separating_terms(design) == ("x[T.v]",)


def test_overlapping_outcomes_are_not_separated():
    design = _design([0, 1, 1, 0, 1, 0, 1, 1], ["u", "u", "u", "u", "v", "v", "v", "v"])
    assert separation.separating_terms(design) == ()


def test_very_large_tables_skip_the_program(monkeypatch):
    monkeypatch.setattr(separation, "MAX_ROWS", 4)
    design = _design([0, 0, 0, 0, 1, 1, 1, 1], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    assert separation.separating_terms(design) == ()
