"""The step bootstrap for large rating sets, in its large-sample (normal) form.

Refitting hundreds of resamples costs (cells × raters × axes²) each, too slow in pure Python once
there are many thousands of steps. Around the full-data fit, a resample with step weights W moves
the coefficients by M⁻¹ Σ_s (W_s − 1) v_s, where v_s is step s's residual vector (its ratings
minus the fit, placed on the parameters they touch) and M the full-data ridge matrix. With
Var(W_s) = 1 and thousands of steps, that sum is normal with covariance B = Σ_s v_s v_sᵀ (the
step-clustered "meat" of the sandwich), so each resample is drawn as β̂ + M⁻¹ L z, L Lᵀ = B,
z standard normal: the same intervals as refitting, to within the resampling noise, at p² per draw.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from stablenew.domain.feedback.design import Design
from stablenew.domain.feedback.ridge import RidgeProblem, cholesky


def step_covariance(design: Design, problem: RidgeProblem, coefs: Sequence[float]) -> list[float]:
    """B = Σ_s v_s v_sᵀ over the steps, row-major p × p."""
    p = problem.size
    meat = [0.0] * (p * p)
    for group, rows_list in zip(design.groups, problem.group_rows, strict=True):
        vector: dict[int, float] = {}
        for rows, n, stars in rows_list:
            residual = stars - n * sum(coefs[i] for i in rows)
            for i in rows:
                vector[i] = vector.get(i, 0.0) + residual
        items = list(vector.items())
        for i, a in items:
            base = i * p
            for j, b in items:
                meat[base + j] += group.count * a * b
    return meat


def linearized_fits(
    design: Design, problem: RidgeProblem, coefs: Sequence[float], replicates: int, seed: int
) -> list[list[float]]:
    """`replicates` coefficient vectors drawn from the bootstrap's normal form around `coefs`."""
    p = problem.size
    factor = cholesky(step_covariance(design, problem, coefs), p)
    inverse = problem.inverse()
    # M⁻¹ L once, so each draw is one p × p product
    spread = [[sum(inverse[i][k] * factor[k * p + j] for k in range(j, p)) for j in range(p)]
              for i in range(p)]
    rng = random.Random(seed)
    fits = []
    for _ in range(replicates):
        z = [rng.gauss(0.0, 1.0) for _ in range(p)]
        fits.append([coefs[i] + sum(row[j] * z[j] for j in range(p)) for i, row in enumerate(spread)])
    return fits
