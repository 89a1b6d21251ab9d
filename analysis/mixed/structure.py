"""M = Λ'Z'WZΛ + I for general random-effects terms, by eliminating one grouping factor.

Rule: every row belongs to exactly one level of each grouping factor, so the random effects of
the factor with the most of them (normally participants: one intercept and one slope each) form
a block-diagonal part of M, one qa × qa block per level, which is inverted block by block. What
is left, the random effects of the other factors (cases, sites: a few hundred at most in a reader
study) and the bordered fixed-effect columns, is a small dense Schur complement with one Cholesky
factor. This is the structure-specific version of a sparse Cholesky of M with the eliminated
factor ordered first (the fill-reducing order CHOLMOD finds for such designs), and it also gives
the blocks of M⁻¹ on the pattern of M (its "selected inverse"), which the exact gradient of the
Laplace deviance needs and a general sparse factor does not provide. Designs whose other factors
have too many levels for a dense complement go to analysis.mixed.sparse instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .blocks import cholesky_lower, cholesky_solve
from .terms import ReTerm

# Above this many random effects outside the eliminated factor, or this many entries in the
# coupling block, the dense complement costs too much: the general sparse system is used.
MAX_DENSE = 3000
MAX_COUPLING = 60_000_000


def choose_eliminated(terms: tuple[ReTerm, ...]) -> str:
    totals: dict[str, int] = {}
    for term in terms:
        totals[term.group] = totals.get(term.group, 0) + term.q * term.n_levels
    return max(totals, key=lambda group: totals[group])


def dense_size(terms: tuple[ReTerm, ...]) -> tuple[int, int]:
    """(random effects outside the eliminated factor, entries of the coupling block)."""
    eliminated = choose_eliminated(terms)
    rest = sum(t.q * t.n_levels for t in terms if t.group != eliminated)
    block = sum(t.q * t.n_levels for t in terms if t.group == eliminated)
    return rest, rest * block


class Structure:
    """Row-to-random-effect maps of the terms, split into the eliminated factor and the rest."""

    def __init__(self, terms: tuple[ReTerm, ...], X: np.ndarray, cells, cell_X):
        self.terms = terms
        eliminated = choose_eliminated(terms)
        self.a_terms = [k for k, t in enumerate(terms) if t.group == eliminated]
        self.r_terms = [k for k, t in enumerate(terms) if t.group != eliminated]
        first = terms[self.a_terms[0]]
        self.la, self.P = first.codes, first.n_levels
        self.n = first.codes.size
        self.xa = np.hstack([terms[k].X for k in self.a_terms])
        self.qa = self.xa.shape[1]
        self.local: dict[int, np.ndarray] = {}
        position = 0
        for k in self.a_terms:
            self.local[k] = np.arange(position, position + terms[k].q)
            position += terms[k].q
        rc, rv, self.r_offset, offset = [], [], {}, 0
        for k in self.r_terms:
            term = terms[k]
            self.r_offset[k] = offset
            for j in range(term.q):
                rc.append(offset + term.codes * term.q + j)
                rv.append(term.X[:, j])
            self.local[k] = np.arange(position, position + term.q)
            position += term.q
            offset += term.n_levels * term.q
        self.mr = offset
        self.kr = position - self.qa
        self.rc = np.column_stack(rc) if rc else np.zeros((self.n, 0), dtype=np.int64)
        self.rv = np.column_stack(rv) if rv else np.zeros((self.n, 0))
        self.x_local = np.hstack([self.xa, self.rv])
        self.X, self.p = X, X.shape[1]
        few = cells is not None and cell_X.shape[0] ** 2 <= X.shape[0]
        self.cells = cells if few else None
        self.cell_X = cell_X if few else None
        self.Ia = sparse.csr_matrix(
            (np.ones(self.n), (self.la, np.arange(self.n))), shape=(self.P, self.n)
        )

    # --- Λ(θ) ------------------------------------------------------------------------------

    def templates(self, theta: np.ndarray, slices: list[slice]) -> list[np.ndarray]:
        return [term.template(theta[s]) for term, s in zip(self.terms, slices, strict=True)]

    def scaled_local(self, T: list[np.ndarray]) -> np.ndarray:
        """Λ'z_i restricted to row i's own random effects: n × (qa + kr)."""
        out = np.empty_like(self.x_local)
        for k, term in enumerate(self.terms):
            out[:, self.local[k]] = term.X @ T[k]
        return out

    def block_a(self, T: list[np.ndarray]) -> np.ndarray:
        Ta = np.zeros((self.qa, self.qa))
        for k in self.a_terms:
            idx = self.local[k]
            Ta[np.ix_(idx, idx)] = T[k]
        return Ta

    def right_rest(self, matrix: np.ndarray, T: list[np.ndarray]) -> np.ndarray:
        """matrix @ Λ_rest, for a matrix whose last axis runs over the rest's random effects."""
        out = np.empty_like(matrix)
        lead = matrix.shape[:-1]
        for k in self.r_terms:
            term, o = self.terms[k], self.r_offset[k]
            width = term.n_levels * term.q
            piece = matrix[..., o : o + width].reshape(*lead, term.n_levels, term.q)
            out[..., o : o + width] = (piece @ T[k]).reshape(*lead, width)
        return out

    # --- the unscaled pieces of M for weights w ---------------------------------------------

    def pieces(self, w: np.ndarray, bordered: np.ndarray | None = None, *, fixed: bool = False):
        """Σw-weighted products of the random-effect columns with each other and with the
        bordered columns: `fixed=True` borders with X (through its distinct rows when few),
        or `bordered` gives the n × k columns explicitly (the LMM's [X y])."""
        P, qa, mr, n = self.P, self.qa, self.mr, self.n
        la, xa, rc, rv = self.la, self.xa, self.rc, self.rv
        At = np.empty((P, qa, qa))
        for i in range(qa):
            for j in range(i, qa):
                At[:, i, j] = At[:, j, i] = np.bincount(
                    la, weights=w * xa[:, i] * xa[:, j], minlength=P
                )
        Bt = np.zeros(P * qa * mr)
        if mr:
            for i in range(qa):
                base = (la * qa + i) * mr
                wx = w * xa[:, i]
                for e in range(self.kr):
                    Bt += np.bincount(base + rc[:, e], weights=wx * rv[:, e], minlength=P * qa * mr)
        Bt = Bt.reshape(P, qa, mr)
        Dt = np.zeros(mr * mr)
        for e in range(self.kr):
            for f in range(self.kr):
                Dt += np.bincount(
                    rc[:, e] * mr + rc[:, f], weights=w * rv[:, e] * rv[:, f], minlength=mr * mr
                )
        Dt = Dt.reshape(mr, mr)
        border = None
        if fixed and self.cells is not None:
            K, cell_X, cells = self.cell_X.shape[0], self.cell_X, self.cells
            Et = np.empty((P, qa, self.p))
            for i in range(qa):
                counts = np.bincount(la * K + cells, weights=w * xa[:, i], minlength=P * K)
                Et[:, i, :] = counts.reshape(P, K) @ cell_X
            Ft = np.zeros((mr, K))
            for e in range(self.kr):
                Ft += np.bincount(
                    rc[:, e] * K + cells, weights=w * rv[:, e], minlength=mr * K
                ).reshape(mr, K)
            Ft = Ft @ cell_X
            per_cell = np.bincount(cells, weights=w, minlength=K)
            G = cell_X.T @ (cell_X * per_cell[:, None])
            border = (Et, Ft, G)
        elif fixed or bordered is not None:
            columns = self.X if bordered is None else bordered
            weighted = columns * w[:, None]
            Et = np.stack([self.Ia @ (weighted * xa[:, [i]]) for i in range(qa)], axis=1)
            Ft = np.zeros((mr, columns.shape[1]))
            for e in range(self.kr):
                Ft += (
                    sparse.csr_matrix((rv[:, e], (rc[:, e], np.arange(n))), shape=(mr, n))
                    @ weighted
                )
            border = (Et, Ft, columns.T @ weighted)
        return At, Bt, Dt, border

    # --- factor -------------------------------------------------------------------------------

    def factor(self, T: list[np.ndarray], pieces) -> Factor:
        At, Bt, Dt, border = pieces
        Ta = self.block_a(T)
        A = Ta.T @ At @ Ta
        A[:, np.arange(self.qa), np.arange(self.qa)] += 1.0
        if self.qa == 1:
            if not (A[:, 0, 0] > 0).all():
                raise np.linalg.LinAlgError("a diagonal block of M is not positive definite")
            Ainv = 1.0 / A
            logdet_a = float(np.log(A[:, 0, 0]).sum())
        else:
            chol = np.linalg.cholesky(A)
            logdet_a = 2.0 * float(np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
            Ainv = np.linalg.inv(A)
        B = self.right_rest(Ta.T @ Bt, T) if self.mr else Bt
        D = np.eye(self.mr)
        if self.mr:
            D = D + self.right_rest(self.right_rest(Dt, T).T, T)
        if border is not None:
            Et, Ft, G = border
            E = Ta.T @ Et
            F = self.right_rest(Ft.T, T).T if self.mr else Ft
            Off = np.concatenate([B, E], axis=2)
            top = np.block([[D, F], [F.T, G]])
        else:
            Off, top = B, D
        AinvOff = Ainv @ Off
        m = top.shape[0]
        flat_off = Off.reshape(self.P * self.qa, m)
        S = top - flat_off.T @ AinvOff.reshape(self.P * self.qa, m)
        L = cholesky_lower(S) if m else np.zeros((0, 0))
        return Factor(
            Ainv=Ainv, Off=Off, AinvOff=AinvOff, L=L, mr=self.mr, logdet_a=logdet_a, qa=self.qa
        )

    # --- products with ZΛ -------------------------------------------------------------------

    def times(self, local: np.ndarray, ua: np.ndarray, ur: np.ndarray) -> np.ndarray:
        """ZΛu per row, from the rows' scaled local values (scaled_local)."""
        out = np.einsum("ij,ij->i", local[:, : self.qa], ua[self.la])
        if self.mr:
            out += np.einsum("ij,ij->i", local[:, self.qa :], ur[self.rc])
        return out

    def transposed(self, local: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Λ'Z'values as the eliminated factor's (P, qa) part and the rest's (mr,) part."""
        ra = np.column_stack(
            [
                np.bincount(self.la, weights=values * local[:, i], minlength=self.P)
                for i in range(self.qa)
            ]
        )
        rr = np.zeros(self.mr)
        for e in range(self.kr):
            rr += np.bincount(
                self.rc[:, e], weights=values * local[:, self.qa + e], minlength=self.mr
            )
        return ra, rr

    def local_inverse_times(self, factor: Factor, local: np.ndarray) -> np.ndarray:
        """v_i = (M⁻¹)_{J_i J_i} ã_i for every row i (J_i: the row's own random effects)."""
        Ainv, W = factor.Ainv, factor.AinvOff
        if self.mr:
            Sinv = cholesky_solve(factor.L, np.eye(self.mr))
            cross = -(W @ Sinv)  # (P, qa, mr): the a-rest block of M⁻¹
            diag = Ainv - cross @ np.transpose(W, (0, 2, 1))
        else:
            diag = Ainv
        la, qa = self.la, self.qa
        a_part = local[:, :qa]
        v = np.empty_like(local)
        v[:, :qa] = np.einsum("ijk,ik->ij", diag[la], a_part)
        if self.mr:
            r_part = local[:, qa:]
            v_ar = np.transpose(cross, (0, 2, 1))[la[:, None], self.rc]  # (n, kr, qa)
            v_rr = Sinv[self.rc[:, :, None], self.rc[:, None, :]]  # (n, kr, kr)
            v[:, :qa] += np.einsum("iek,ie->ik", v_ar, r_part)
            v[:, qa:] = np.einsum("iek,ik->ie", v_ar, a_part) + np.einsum(
                "ief,if->ie", v_rr, r_part
            )
        return v


@dataclass
class Factor:
    """M (optionally bordered by fixed-effect columns) after eliminating the block diagonal."""

    Ainv: np.ndarray  # (P, qa, qa) inverses of the diagonal blocks
    Off: np.ndarray  # (P, qa, m) coupling of the blocks to the dense part
    AinvOff: np.ndarray
    L: np.ndarray  # Cholesky factor of the m × m dense Schur complement
    mr: int  # leading random-effect part of the dense block
    logdet_a: float
    qa: int

    @property
    def logdet_m(self) -> float:
        return self.logdet_a + 2.0 * float(np.log(np.diag(self.L)[: self.mr]).sum())

    def solve(self, ra: np.ndarray, rd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = np.einsum("pij,pj->pi", self.Ainv, ra)
        P, qa, m = self.Off.shape
        if m:
            d = cholesky_solve(self.L, rd - self.Off.reshape(P * qa, m).T @ y.ravel())
            a = y - np.einsum("pim,m->pi", self.AinvOff, d)
        else:
            d, a = rd, y
        return a, d


def fixed_times(structure: Structure, beta: np.ndarray) -> np.ndarray:
    if structure.cells is None:
        return structure.X @ beta
    return (structure.cell_X @ beta)[structure.cells]


def fixed_transposed(structure: Structure, values: np.ndarray) -> np.ndarray:
    if structure.cells is None:
        return structure.X.T @ values
    K = structure.cell_X.shape[0]
    return structure.cell_X.T @ np.bincount(structure.cells, weights=values, minlength=K)
