"""General random-effects terms in lme4 syntax: parsing, their model matrices, and Λ(θ).

Rule: a term `(lhs | g)` is the patsy model matrix of `lhs` (so `(x | g)` has an intercept, as in
lme4, and `(0 + x | g)` has not) with one q × q lower-triangular relative covariance factor T per
term, repeated over g's levels; `(lhs || g)` is one term per column of that matrix, so the columns
are uncorrelated (lme4 does the same for numeric columns; for a factor it keeps one correlated term
of its indicator columns, so write numeric 0/1 columns to compare `||` with lme4). θ holds each
term's T column by column, lower triangle only (lme4's order within a term); the diagonal is
bounded below by 0. `g` may be a column, `a:b` (the interaction of columns) or `a/b` (nested:
`(lhs | a) + (lhs | a:b)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy

from .results import ModelError

_RANDOM = re.compile(r"^\(\s*(?P<lhs>[^|()]*?)\s*(?P<bars>\|\|?)\s*(?P<rhs>[^|()]*?)\s*\)$")
_GROUP = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\s*[:/]\s*[A-Za-z_][A-Za-z0-9_]*)*$")


@dataclass(frozen=True)
class RandomSpec:
    """One random-effects term as written, after `/` and `||` are expanded."""

    lhs: str  # patsy formula of the term's columns, e.g. "1 + advice_correct"
    group: str  # "participant", or "site:participant"
    correlated: bool  # False for the single-column terms `||` makes
    column: int | None = None  # with `||`: which column of lhs's matrix this term is


def parse_random(piece: str, formula: str) -> list[RandomSpec]:
    """`(1 + x | g)`, `(1 + x || g)`, `(1 | a/b)`, `(1 | a:b)` to RandomSpecs."""
    match = _RANDOM.match(piece)
    if match is None:
        raise ModelError(
            f"formula {formula!r}: random-effects term {piece!r} is not of the form "
            "(terms | group) or (terms || group)"
        )
    lhs, rhs = match["lhs"].strip(), match["rhs"].strip()
    if not lhs:
        raise ModelError(f"formula {formula!r}: random-effects term {piece!r} has no terms")
    if not _GROUP.match(rhs):
        raise ModelError(
            f"formula {formula!r}: the grouping factor of {piece!r} must be a column, a:b or a/b"
        )
    if "/" in rhs and ":" in rhs:
        raise ModelError(f"formula {formula!r}: {piece!r} mixes ':' and '/' in its group")
    names = [name.strip() for name in re.split(r"[/:]", rhs)]
    if "/" in rhs:
        groups = [":".join(names[: k + 1]) for k in range(len(names))]
    else:
        groups = [":".join(names)]
    correlated = match["bars"] == "|"
    return [RandomSpec(lhs=lhs, group=group, correlated=correlated) for group in groups]


def group_columns(group: str) -> list[str]:
    return [name.strip() for name in group.split(":")]


@dataclass(frozen=True)
class ReTerm:
    """A random-effects term built on the data: q columns, one q × q factor per level of g."""

    group: str
    names: tuple[str, ...]  # patsy column names ("Intercept", "advice_correct[T.True]")
    X: np.ndarray  # n × q values of the term's columns
    codes: np.ndarray  # level index per row
    n_levels: int
    correlated: bool

    @property
    def q(self) -> int:
        return len(self.names)

    @property
    def n_theta(self) -> int:
        return self.q * (self.q + 1) // 2 if self.correlated else self.q

    def positions(self) -> list[tuple[int, int]]:
        """(row, column) of T for each θ of this term, column by column, lower triangle."""
        if not self.correlated:
            return [(j, j) for j in range(self.q)]
        return [(i, j) for j in range(self.q) for i in range(j, self.q)]

    def template(self, theta: np.ndarray) -> np.ndarray:
        T = np.zeros((self.q, self.q))
        for value, (i, j) in zip(theta, self.positions(), strict=True):
            T[i, j] = value
        return T


def group_codes(data: pd.DataFrame, group: str) -> tuple[np.ndarray, int]:
    columns = group_columns(group)
    if len(columns) == 1:
        codes, levels = pd.factorize(data[columns[0]], sort=True)
        return codes.astype(np.int64), len(levels)
    frame = data[columns]
    codes = frame.groupby(columns, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    return codes.astype(np.int64), int(codes.max()) + 1


def build_terms(
    specs: list[RandomSpec], data: pd.DataFrame, formula: str, eval_env
) -> tuple[ReTerm, ...]:
    """The model matrices of the random terms (`||` split into one term per column)."""
    terms: list[ReTerm] = []
    seen: dict[tuple[str, str], str] = {}
    for spec in specs:
        try:
            matrix = patsy.dmatrix(
                spec.lhs, data, eval_env=eval_env, NA_action="raise", return_type="matrix"
            )
        except patsy.PatsyError as error:
            raise ModelError(
                f"formula {formula!r}: random-effects terms {spec.lhs!r}: {error}"
            ) from None
        names = tuple(matrix.design_info.column_names)
        values = np.asarray(matrix, dtype=float)
        if not names:
            raise ModelError(f"formula {formula!r}: random-effects terms {spec.lhs!r} are empty")
        if not np.isfinite(values).all():
            raise ModelError(
                f"formula {formula!r}: random-effects terms {spec.lhs!r} have non-finite values"
            )
        codes, n_levels = group_codes(data, spec.group)
        if n_levels < 2:
            raise ModelError(
                f"random-effects group {spec.group!r} has only one level; "
                "a random effect needs at least two"
            )
        pieces = (
            [(names, values)]
            if spec.correlated
            else [((name,), values[:, [j]]) for j, name in enumerate(names)]
        )
        for term_names, term_values in pieces:
            for name in term_names:
                key = (spec.group, name)
                if key in seen:
                    raise ModelError(
                        f"formula {formula!r}: {name!r} appears twice in the random effects "
                        f"of {spec.group!r}"
                    )
                seen[key] = name
            terms.append(
                ReTerm(
                    group=spec.group,
                    names=term_names,
                    X=np.ascontiguousarray(term_values),
                    codes=codes,
                    n_levels=n_levels,
                    correlated=spec.correlated and len(term_names) > 1,
                )
            )
    return tuple(terms)


def theta_layout(terms: tuple[ReTerm, ...]) -> tuple[np.ndarray, np.ndarray, list[slice]]:
    """Starting θ (lme4's: 1 on the diagonal, 0 below), lower bounds, and each term's slice."""
    start, lower, slices, offset = [], [], [], 0
    for term in terms:
        for i, j in term.positions():
            start.append(1.0 if i == j else 0.0)
            lower.append(0.0 if i == j else -np.inf)
        slices.append(slice(offset, offset + term.n_theta))
        offset += term.n_theta
    return np.array(start), np.array(lower), slices
