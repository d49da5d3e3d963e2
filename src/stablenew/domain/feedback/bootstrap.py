"""Resampling whole steps (Poisson bootstrap), seeded so the same ratings give the same answer.

Images of one step share a seed and are not independent, so the unit resampled is the step. Each
step gets a Poisson(1) weight; a group of k identical steps gets one Poisson(k) draw (their sum).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from stablenew.domain.feedback.design import Design
from stablenew.domain.feedback.ridge import RidgeProblem


def poisson(rng: random.Random, lam: float) -> int:
    """One Poisson(lam) draw: multiplication for small lam, PTRS (Hörmann 1993) for large."""
    if lam < 30:
        limit, k, product = math.exp(-lam), 0, rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
        return k
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        accept = -lam + k * loglam - math.lgamma(k + 1)
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= accept:
            return k


def bootstrap_fits(design: Design, problem: RidgeProblem, replicates: int, seed: int) -> list[list[float]]:
    """`replicates` coefficient vectors, each fitted to a resample of the steps."""
    rng = random.Random(seed)
    counts = [group.count for group in design.groups]
    return [problem.solve([poisson(rng, c) for c in counts]) for _ in range(replicates)]


def percentile_interval(samples: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """The central `level` interval of `samples` (linear interpolation between order statistics)."""
    ordered = sorted(samples)
    tail = (1 - level) / 2
    return _quantile(ordered, tail), _quantile(ordered, 1 - tail)


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
