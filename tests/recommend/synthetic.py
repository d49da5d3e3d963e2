"""Synthetic ratings with a known truth, for the model's tests."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from stablenew.domain.feedback.observations import RatedImage


def clamp_stars(x: float) -> int:
    return max(1, min(5, round(x)))


def grid_ratings(
    axes: Mapping[str, Sequence[Any]],
    truth: Mapping[str, Mapping[Any, float]],
    *,
    steps_per_cell: int = 2,
    images_per_step: int = 4,
    raters: Mapping[str, float] | None = None,
    noise: float = 0.6,
    seed_sd: float = 0.3,
    base: float = 3.0,
    rng_seed: int = 1,
    plan_id: str = "plan-x",
) -> list[RatedImage]:
    """Every combination of the axes' values, `steps_per_cell` steps each (each step a fresh seed with
    its own random bump), every image rated by every rater (rater offset added), stars rounded 1..5."""
    rng = random.Random(rng_seed)
    raters = raters or {"ann": 0.0}
    labels = list(axes)
    combos: list[dict[str, Any]] = [{}]
    for label in labels:
        combos = [{**c, label: v} for c in combos for v in axes[label]]
    out: list[RatedImage] = []
    for ci, combo in enumerate(combos):
        mean = base + sum(truth.get(label, {}).get(v, 0.0) for label, v in combo.items())
        for s in range(steps_per_cell):
            step = f"c{ci}-s{s}"
            bump = rng.gauss(0, seed_sd)
            for i in range(images_per_step):
                image_mean = mean + bump + rng.gauss(0, noise)
                for rater, offset in raters.items():
                    stars = clamp_stars(image_mean + offset + rng.gauss(0, 0.2))
                    out.append(RatedImage(
                        run_id=f"run-{step}", step_key=step, image_path=f"img/{step}-{i}.png", rater=rater,
                        stars=stars, values=combo, plan_id=plan_id,
                    ))
    return out
