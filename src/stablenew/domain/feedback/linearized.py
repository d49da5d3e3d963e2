"""The step bootstrap for large rating sets, in its first-order (linearized) form.

Refitting hundreds of resamples costs (cells × raters × axes²) each; with many thousands of steps
that is too slow in pure Python. Around the full-data fit, a resample with step weights W moves the
coefficients by M⁻¹ Σ_s (W_s − 1) v_s, where v_s is step s's residual vector (its ratings minus
the fit, placed on the parameters it touches) and M the full-data ridge matrix — exact to first
order, and at this size the second-order term is far below the sampling error. Steps that share
a cell and a single rater are summed: when they are many, their Σ (W_s − 1) e_s is drawn as one
normal with variance Σ e_s² (central limit); otherwise each is drawn exactly (Poisson).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from stablenew.domain.feedback.bootstrap import poisson
from stablenew.domain.feedback.design import Design
from stablenew.domain.feedback.ridge import RidgeProblem

NORMAL_FROM = 30  # steps of one (cell, rater) from which their sum is drawn as one normal


def linearized_fits(
    design: Design, problem: RidgeProblem, coefs: Sequence[float], replicates: int, seed: int
) -> list[list[float]]:
    """`replicates` coefficient vectors, each the full fit moved by one resample's first-order shift."""
    per_group = [
        (group.count, [(rows, stars - n * sum(coefs[i] for i in rows)) for rows, n, stars in rows_list])
        for group, rows_list in zip(design.groups, problem.group_rows, strict=True)
    ]
    pooled: dict[tuple[int, ...], list[float]] = {}  # rows → [steps, Σ residual²] of one-rater steps
    for count, residuals in per_group:
        if len(residuals) == 1:
            entry = pooled.setdefault(residuals[0][0], [0.0, 0.0])
            entry[0] += count
            entry[1] += count * residuals[0][1] ** 2
    normal = [(rows, math.sqrt(squares)) for rows, (steps, squares) in pooled.items() if steps >= NORMAL_FROM]
    drawn_as_normal = {rows for rows, _ in normal}
    exact = [(count, residuals) for count, residuals in per_group
             if len(residuals) > 1 or residuals[0][0] not in drawn_as_normal]
    inverse = problem.inverse()
    p = problem.size
    rng = random.Random(seed)
    fits = []
    for _ in range(replicates):
        shift = [0.0] * p
        for rows, sd in normal:
            draw = rng.gauss(0.0, sd)
            for i in rows:
                shift[i] += draw
        for count, residuals in exact:
            extra = poisson(rng, count) - count
            if extra:
                for rows, e in residuals:
                    for i in rows:
                        shift[i] += extra * e
        moved = [i for i in range(p) if shift[i]]
        fits.append([coefs[i] + sum(inverse[i][j] * shift[j] for j in moved) for i in range(p)])
    return fits
