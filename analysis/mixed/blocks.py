"""The crossed random-intercept system M = Λ'Z'WZΛ + I, solved through its block structure.

Rule: the larger group (normally participants) is a diagonal block and is eliminated first; what
is left is a small dense system over the other group's levels (normally cases), optionally
bordered by fixed-effect columns. Nothing of size n x q or q x q is ever formed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import lapack

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # optional: without it BLAS keeps its own thread count
    threadpool_limits = None


def single_threaded_blas() -> contextlib.AbstractContextManager:
    """BLAS on one thread for the fit: its matrices are small (at most P x (C+p)), and a
    multi-threaded BLAS on a busy machine spins; measured 4x slower at 5,000 x 50 on 2 cores."""
    if threadpool_limits is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


class Crossed:
    """Row-to-level maps of one or two random-intercept groups, larger group first ("a")."""

    def __init__(self, codes: tuple[np.ndarray, ...], sizes: tuple[int, ...]):
        # Internal order: the group with more levels is eliminated (diagonal), the other kept dense.
        self.order = (0, 1) if len(sizes) == 1 or sizes[0] >= sizes[1] else (1, 0)
        self.order = self.order[: len(sizes)]
        self.a = codes[self.order[0]]
        self.P = sizes[self.order[0]]
        self.n = self.a.size
        if len(sizes) == 2:
            self.b = codes[self.order[1]]
            self.C = sizes[self.order[1]]
            self.ab = self.a * self.C + self.b
        else:
            self.b = np.zeros(self.n, dtype=np.int64)
            self.C = 0
            self.ab = None
        ones = np.ones(self.n)
        self.Za = sparse.csr_matrix((ones, (self.a, np.arange(self.n))), shape=(self.P, self.n))
        self.Zb = (
            sparse.csr_matrix((ones, (self.b, np.arange(self.n))), shape=(self.C, self.n))
            if self.C
            else None
        )

    def to_internal(self, theta: np.ndarray) -> np.ndarray:
        """Formula-ordered θ to (θ_a, θ_b); θ_b = 0 when there is one group."""
        internal = np.zeros(2)
        for position, group in enumerate(self.order):
            internal[position] = theta[group]
        return internal

    def to_formula(self, internal: np.ndarray) -> np.ndarray:
        theta = np.zeros(len(self.order))
        for position, group in enumerate(self.order):
            theta[group] = internal[position]
        return theta

    def sums_a(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.a, weights=values, minlength=self.P)

    def sums_b(self, values: np.ndarray) -> np.ndarray:
        if not self.C:
            return np.zeros(0)
        return np.bincount(self.b, weights=values, minlength=self.C)

    def weight_pieces(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Σw per a-level, Σw per b-level, and the P x C cross block of Σw."""
        na = self.sums_a(w)
        if not self.C:
            return na, np.zeros(0), np.zeros((self.P, 0))
        nb = self.sums_b(w)
        cross = np.bincount(self.ab, weights=w, minlength=self.P * self.C)
        return na, nb, cross.reshape(self.P, self.C)

    def column_sums(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-level sums of the columns of an n x k matrix, for groups a and b."""
        sums_b = self.Zb @ values if self.C else np.zeros((0, values.shape[1]))
        return self.Za @ values, sums_b


@dataclass
class Factor:
    """Cholesky factor of the system after eliminating the diagonal a-block.

    Dense part ordered [b-levels, bordered columns]; its leading C x C block is the Schur
    complement S of M, so log det M = Σ log D + log det S.
    """

    D: np.ndarray  # diagonal of the a-block, length P
    off: np.ndarray  # P x m coupling of the a-block to the dense part
    L: np.ndarray  # lower Cholesky factor of the m x m dense Schur complement
    C: int

    @property
    def logdet_m(self) -> float:
        return float(np.log(self.D).sum() + 2.0 * np.log(np.diag(self.L)[: self.C]).sum())

    def solve(self, rhs_a: np.ndarray, rhs_dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scaled = rhs_a / (self.D if rhs_a.ndim == 1 else self.D[:, None])
        if self.L.shape[0]:
            dense = cholesky_solve(self.L, rhs_dense - self.off.T @ scaled)
            rhs_a = rhs_a - self.off @ dense
        else:
            dense = rhs_dense
        return rhs_a / (self.D if rhs_a.ndim == 1 else self.D[:, None]), dense

    def dense_inverse(self) -> np.ndarray:
        m = self.L.shape[0]
        return cholesky_solve(self.L, np.eye(m)) if m else np.zeros((0, 0))


# LAPACK directly: scipy.linalg's wrappers cost ~0.1 ms per call in argument checks, which is
# most of the time of a PIRLS step at 265 x 8.
def cholesky_lower(matrix: np.ndarray) -> np.ndarray:
    factor, info = lapack.dpotrf(matrix, lower=1, clean=1)
    if info != 0:
        raise linalg.LinAlgError(f"matrix not positive definite (LAPACK dpotrf info={info})")
    return factor


def cholesky_solve(factor: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    solution, info = lapack.dpotrs(factor, rhs, lower=1)
    if info != 0:
        raise linalg.LinAlgError(f"LAPACK dpotrs info={info}")
    return solution


def factorize(
    theta_a: float,
    theta_b: float,
    na: np.ndarray,
    nb: np.ndarray,
    cross: np.ndarray,
    bordered: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Factor:
    """Factor [[M, Λ'Z'WX], [X'WZΛ, X'WX]] (or M alone when `bordered` is None).

    `na`, `nb`, `cross` are Σw per a-level, per b-level and per (a, b) cell; `bordered` is
    (Z_a'WX, Z_b'WX, X'WX), all unscaled by θ.
    """
    D = theta_a * theta_a * na + 1.0
    C = nb.size
    off = theta_a * theta_b * cross
    if bordered is not None:
        off = np.hstack([off, theta_a * bordered[0]])
    top = dense_top(theta_b, nb, None if bordered is None else bordered[1:])
    if top.shape[0]:
        # B'D⁻¹B as S'S with S = D^(-1/2)B: numpy sends X.T @ X to BLAS syrk, which is ~20x
        # faster here than the general product of two different arrays.
        scaled = off / np.sqrt(D)[:, None]
        L = cholesky_lower(top - scaled.T @ scaled)
    else:
        L = np.zeros((0, 0))
    return Factor(D=D, off=off, L=L, C=C)


def dense_top(
    theta_b: float, nb: np.ndarray, bordered: tuple[np.ndarray, np.ndarray] | None
) -> np.ndarray:
    """[[θ_b²·diag(Σw per b-level) + I, θ_b Z_b'WX], [θ_b X'WZ_b, X'WX]] before elimination."""
    C = nb.size
    p = 0 if bordered is None else bordered[1].shape[0]
    top = np.zeros((C + p, C + p))
    top[np.arange(C), np.arange(C)] = theta_b * theta_b * nb + 1.0
    if bordered is not None:
        xb, xx = bordered
        top[:C, C:] = theta_b * xb
        top[C:, :C] = top[:C, C:].T
        top[C:, C:] = xx
    return top
