"""Formula parsing and design matrices for the mixed models.

Rule: random effects are lme4 terms (`(1|g)`, `(1 + x|g)`, `(1 + x||g)`, `(1|a/b)`; or `groups=`
for random intercepts); one or two crossed random intercepts take the crossed fast path, anything
else the general one (analysis.mixed.terms). The fixed part and each random term's columns are
plain patsy, so term names, treatment coding and alphabetical reference levels are exactly
patsy's. Every problem with the data is reported here, before any fitting, naming the column and
the first offending rows.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
import patsy.builtins
from scipy import linalg

from .results import ModelError
from .terms import RandomSpec, ReTerm, build_terms, group_columns, parse_random

_PATSY_NAMES = set(patsy.builtins.__all__) | {"np", "numpy"}
_FIRST_ROWS = 5
# patsy transforms whose value depends on the whole column (mean, sd), not on the row alone.
_STATEFUL = ("center", "standardize", "scale")


@dataclass(frozen=True)
class Design:
    response: str
    y: np.ndarray  # float64, length n
    X: np.ndarray  # float64, n x p
    terms: tuple[str, ...]
    group_names: tuple[str, ...]
    group_codes: tuple[np.ndarray, ...]  # int64 level index per row, one array per group
    group_sizes: tuple[int, ...]  # number of levels per group
    # Distinct design rows and each row's index into them (None with stateful transforms).
    cells: np.ndarray | None = None
    cell_X: np.ndarray | None = None
    # General random-effects terms (slopes, ||, a third or nested factor); empty on the crossed
    # random-intercept fast path, which uses group_codes.
    random_terms: tuple[ReTerm, ...] = ()


def _split_top_level(text: str) -> list[str]:
    """Split on '+' outside parentheses, keeping '(1|g)' terms whole."""
    pieces, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "+" and depth == 0:
            pieces.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    pieces.append("".join(current).strip())
    return pieces


def parse_formula(
    formula: str, groups: Sequence[str] | None
) -> tuple[str, str, tuple[RandomSpec, ...]]:
    """Return (response, fixed right-hand side, random-effects terms as written)."""
    if formula.count("~") != 1:
        raise ModelError(f"formula {formula!r} must have exactly one '~' (response ~ terms)")
    lhs, rhs = (part.strip() for part in formula.split("~"))
    if not lhs.isidentifier():
        raise ModelError(f"formula {formula!r}: the response must be a single column, got {lhs!r}")
    fixed: list[str] = []
    random: list[RandomSpec] = []
    for piece in _split_top_level(rhs):
        if "|" not in piece:
            fixed.append(piece)
            continue
        random.extend(parse_random(piece, formula))
    if random and groups is not None:
        raise ModelError(
            "give the random effects either in the formula or as groups=, not both "
            f"(formula has {', '.join(spec.group for spec in random)}; groups={tuple(groups)})"
        )
    if not random:
        random = [RandomSpec(lhs="1", group=str(g), correlated=True) for g in (groups or ())]
    if not random:
        raise ModelError(
            f"formula {formula!r} has no random effects; add (1|group) terms or pass groups="
        )
    fixed_rhs = " + ".join(piece for piece in fixed if piece) or "1"
    return lhs, fixed_rhs, tuple(random)


def _crossed_intercepts(specs: tuple[RandomSpec, ...]) -> bool:
    """One or two random intercepts of distinct plain columns: the fast crossed path."""
    return (
        len(specs) <= 2
        and all(spec.lhs.replace(" ", "") == "1" and spec.group.isidentifier() for spec in specs)
        and len({spec.group for spec in specs}) == len(specs)
    )


def _factor_columns(code: str, columns: set[str], formula: str) -> set[str]:
    """Columns a patsy factor reads; unknown bare names are reported as unknown columns."""
    used: set[str] = set()
    for node in ast.walk(ast.parse(code, mode="eval")):
        if isinstance(node, ast.Name):
            if node.id in columns:
                used.add(node.id)
            elif node.id not in _PATSY_NAMES:
                raise ModelError(
                    f"formula {formula!r}: unknown column {node.id!r}; "
                    f"the data has columns {', '.join(sorted(columns))}"
                )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Q"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            name = node.args[0].value
            if name not in columns:
                raise ModelError(f"formula {formula!r}: unknown column {name!r}")
            used.add(name)
    return used


def _check_complete(data: pd.DataFrame, column: str) -> None:
    missing = data[column].isna().to_numpy()
    if missing.any():
        rows = [repr(label) for label in data.index[missing][:_FIRST_ROWS]]
        raise ModelError(
            f"column {column!r} has {int(missing.sum())} missing value(s); "
            f"first rows: {', '.join(rows)}"
        )


def _response(data: pd.DataFrame, name: str, family: str) -> np.ndarray:
    values = data[name]
    if family == "binomial":
        if pd.api.types.is_bool_dtype(values):
            return values.to_numpy(dtype=float)
        if pd.api.types.is_numeric_dtype(values):
            array = values.to_numpy(dtype=float)
            bad = (array != 0.0) & (array != 1.0)
            if not bad.any():
                return array
            rows = [repr(label) for label in data.index[bad][:_FIRST_ROWS]]
            raise ModelError(
                f"response {name!r} must be 0/1 or boolean for the binomial family; "
                f"found {float(array[bad][0])!r} (first rows: {', '.join(rows)})"
            )
        raise ModelError(
            f"response {name!r} must be 0/1 or boolean for the binomial family; "
            f"found dtype {values.dtype}"
        )
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        raise ModelError(f"response {name!r} must be numeric for a linear mixed model")
    array = values.to_numpy(dtype=float)
    bad = ~np.isfinite(array)
    if bad.any():
        rows = [repr(label) for label in data.index[bad][:_FIRST_ROWS]]
        raise ModelError(
            f"response {name!r} has {int(bad.sum())} infinite value(s); first rows: "
            f"{', '.join(rows)}"
        )
    return array


def aliased_columns(X: np.ndarray) -> list[int]:
    """Columns that are linear combinations of earlier columns (R's lm drops the same ones)."""
    r = linalg.qr(X, mode="r", check_finite=False)[0]
    # With fewer rows than columns (a condition cell with no observations leaves fewer distinct
    # rows than terms) R is short and wide: the columns past its diagonal are aliased.
    diagonal = np.zeros(X.shape[1])
    diagonal[: min(X.shape)] = np.abs(np.diag(r))
    norms = np.linalg.norm(X, axis=0)
    return [j for j in range(X.shape[1]) if diagonal[j] <= 1e-7 * max(norms[j], 1e-300)]


def build_design(
    formula: str, data: pd.DataFrame, *, groups: Sequence[str] | None, family: str
) -> Design:
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    response, fixed_rhs, specs = parse_formula(formula, groups)
    crossed = _crossed_intercepts(specs)
    group_names = tuple(dict.fromkeys(spec.group for spec in specs))
    group_columns_used = {name for spec in specs for name in group_columns(spec.group)}
    columns = {str(column) for column in data.columns}
    for name in (response, *sorted(group_columns_used)):
        if name not in columns:
            raise ModelError(
                f"formula {formula!r}: unknown column {name!r}; "
                f"the data has columns {', '.join(sorted(columns))}"
            )
    try:
        description = patsy.ModelDesc.from_formula(fixed_rhs)
    except patsy.PatsyError as error:
        raise ModelError(f"formula {formula!r}: cannot parse fixed effects: {error}") from None
    used = {response, *group_columns_used}
    for term in description.rhs_termlist:
        for factor in term.factors:
            used |= _factor_columns(factor.code, columns, formula)
    for spec in specs:
        try:
            random_description = patsy.ModelDesc.from_formula(spec.lhs)
        except patsy.PatsyError as error:
            raise ModelError(
                f"formula {formula!r}: cannot parse random-effects terms {spec.lhs!r}: {error}"
            ) from None
        for term in random_description.rhs_termlist:
            for factor in term.factors:
                used |= _factor_columns(factor.code, columns, formula)
    if len(data) == 0:
        raise ModelError("data has no rows")
    for column in sorted(used):
        _check_complete(data, column)
    y = _response(data, response, family)

    fixed_columns = sorted(
        {
            column
            for term in description.rhs_termlist
            for factor in term.factors
            for column in _factor_columns(factor.code, columns, formula)
        }
    )
    stateful = any(
        name in code
        for term in description.rhs_termlist
        for factor in term.factors
        for code in [factor.code]
        for name in _STATEFUL
    )
    if fixed_columns and not stateful:
        # A design row depends only on the row's values of the used columns: build the matrix
        # on the distinct combinations (8 for the study's models) and expand, because patsy
        # is slow per row (1 s at 250,000 rows). Stateful transforms see the whole column.
        cells = (
            data.groupby(fixed_columns, sort=False, dropna=False, observed=True).ngroup().to_numpy()
        )
        first = np.unique(cells, return_index=True)[1]
        frame = data.iloc[first][fixed_columns]
    else:
        cells, frame = None, data
    try:
        matrix = patsy.dmatrix(
            description,
            frame,
            eval_env=patsy.EvalEnvironment([{"np": np, "numpy": np}]),
            NA_action="raise",
            return_type="matrix",
        )
    except patsy.PatsyError as error:
        raise ModelError(f"formula {formula!r}: {error}") from None
    terms = tuple(matrix.design_info.column_names)
    cell_X = np.asarray(matrix, dtype=float)
    if not fixed_columns:
        cells, cell_X = np.zeros(len(data), dtype=np.int64), cell_X[:1]
    X = np.ascontiguousarray(cell_X[cells] if cells is not None else cell_X)
    if X.shape[0] != len(data):
        raise ModelError(f"formula {formula!r}: design has {X.shape[0]} rows for {len(data)}")
    if not np.isfinite(X).all():
        raise ModelError(f"formula {formula!r}: the fixed-effects design has non-finite values")
    if len(data) <= X.shape[1]:
        raise ModelError(f"{len(data)} observations for {X.shape[1]} fixed effects")
    if cells is not None:
        # Same X'X, hence the same aliasing, from the distinct rows weighted by their counts.
        counts = np.bincount(cells, minlength=cell_X.shape[0])
        aliased = aliased_columns(cell_X * np.sqrt(counts)[:, None])
    else:
        aliased = aliased_columns(X)
    if aliased:
        names = ", ".join(repr(terms[j]) for j in aliased)
        raise ModelError(
            f"the fixed effects are rank deficient: {names} "
            f"{'is' if len(aliased) == 1 else 'are'} a linear combination of earlier terms "
            "(aliased); remove or recode them"
        )

    if not crossed:
        terms_random = build_terms(
            list(specs), data, formula, patsy.EvalEnvironment([{"np": np, "numpy": np}])
        )
        sizes_by_group = {term.group: term.n_levels for term in terms_random}
        return Design(
            response=response,
            y=y,
            X=X,
            terms=terms,
            group_names=group_names,
            group_codes=tuple(term.codes for term in _first_per_group(terms_random)),
            group_sizes=tuple(sizes_by_group[name] for name in group_names),
            cells=cells,
            cell_X=cell_X if cells is not None else None,
            random_terms=terms_random,
        )
    codes, sizes = [], []
    for name in group_names:
        level_codes, levels = pd.factorize(data[name], sort=True)
        if len(levels) < 2:
            raise ModelError(
                f"random intercept group {name!r} has only one level ({levels[0]!r}); "
                "a random intercept needs at least two"
            )
        codes.append(level_codes.astype(np.int64))
        sizes.append(len(levels))
    return Design(
        response=response,
        y=y,
        X=X,
        terms=terms,
        group_names=group_names,
        group_codes=tuple(codes),
        group_sizes=tuple(sizes),
        cells=cells,
        cell_X=cell_X if cells is not None else None,
    )


def _first_per_group(terms: tuple[ReTerm, ...]) -> list[ReTerm]:
    seen: dict[str, ReTerm] = {}
    for term in terms:
        seen.setdefault(term.group, term)
    return list(seen.values())
