"""The ridge fit: stars ≈ overall + Σ value effects + rater offset, from (weighted) step groups.

Each rating row has a 1 at the overall mean, at its value on every axis and at its rater, so the
normal equations only need, per (cell, rater), the weighted count and sum of stars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from stablenew.domain.feedback.design import Design


class RidgeProblem:
    """A design compiled once for many weighted fits (the bootstrap refits it hundreds of times)."""

    def __init__(self, design: Design, ridge: float) -> None:
        self.size = design.size
        self._ridge = ridge
        keys: dict[tuple[int, ...], int] = {}
        self._group_terms: list[tuple[tuple[int, int, int], ...]] = []
        for group in design.groups:
            terms = []
            for rater, n, stars in group.stats:
                rows = (0, *group.cell, design.rater_index(rater))
                terms.append((keys.setdefault(rows, len(keys)), n, stars))
            self._group_terms.append(tuple(terms))
        self._rows = list(keys)
        self._counts = [group.count for group in design.groups]

    @property
    def group_rows(self) -> list[list[tuple[tuple[int, ...], int, int]]]:
        """Per group, its (parameter rows, ratings, sum of stars) for each rater."""
        return [[(self._rows[key], n, stars) for key, n, stars in terms] for terms in self._group_terms]

    def inverse(self) -> list[list[float]]:
        """Rows of the inverse of the full-data ridge matrix (for the linearized bootstrap)."""
        matrix, _ = self._system(None)
        p = self.size
        columns = [cholesky_solve(list(matrix), [float(i == j) for i in range(p)], p) for j in range(p)]
        return [[columns[j][i] for j in range(p)] for i in range(p)]

    def solve(self, weights: Sequence[int] | None = None) -> list[float]:
        """The coefficients with group g counted `weights[g]` times (as many times as it has steps
        when None: the full-data fit)."""
        matrix, rhs = self._system(weights)
        return cholesky_solve(matrix, rhs, self.size)

    def _system(self, weights: Sequence[int] | None) -> tuple[list[float], list[float]]:
        counts = [0] * len(self._rows)
        sums = [0] * len(self._rows)
        for g, terms in enumerate(self._group_terms):
            w = self._counts[g] if weights is None else weights[g]
            if w:
                for key, n, stars in terms:
                    counts[key] += w * n
                    sums[key] += w * stars
        p = self.size
        matrix = [0.0] * (p * p)
        rhs = [0.0] * p
        for rows, n, y in zip(self._rows, counts, sums, strict=True):
            if not n:
                continue
            for i in rows:
                rhs[i] += y
                base = i * p
                for j in rows:
                    matrix[base + j] += n
        matrix[0] += 1e-9  # keeps the overall mean defined when a resample drew no step at all
        for i in range(1, p):
            matrix[i * p + i] += self._ridge
        return matrix, rhs


def cholesky_solve(matrix: list[float], rhs: list[float], p: int) -> list[float]:
    """Solve A x = b for a symmetric positive definite A given row-major (A is overwritten)."""
    cholesky(matrix, p)
    y = [0.0] * p
    for i in range(p):
        row_i = i * p
        y[i] = (rhs[i] - sum(matrix[row_i + k] * y[k] for k in range(i))) / matrix[row_i + i]
    x = [0.0] * p
    for i in reversed(range(p)):
        x[i] = (y[i] - sum(matrix[k * p + i] * x[k] for k in range(i + 1, p))) / matrix[i * p + i]
    return x


def cholesky(matrix: list[float], p: int) -> list[float]:
    """Overwrite the lower triangle of a symmetric positive semi-definite row-major `matrix` with its
    Cholesky factor L (A = L Lᵀ; a direction with no variance gets a zero column) and return it."""
    tolerance = 1e-10 * max((abs(matrix[i * p + i]) for i in range(p)), default=0.0)
    for j in range(p):
        row_j = j * p
        diag = matrix[row_j + j] - sum(matrix[row_j + k] ** 2 for k in range(j))
        if diag <= tolerance:  # no variance left in this direction (singular B; never for M + ridge)
            for i in range(j, p):
                matrix[i * p + j] = 0.0
            continue
        diag = math.sqrt(diag)
        matrix[row_j + j] = diag
        for i in range(j + 1, p):
            row_i = i * p
            acc = matrix[row_i + j] - sum(matrix[row_i + k] * matrix[row_j + k] for k in range(j))
            matrix[row_i + j] = acc / diag
    return matrix
