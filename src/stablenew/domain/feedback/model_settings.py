"""The recommendation model's knobs: shrinkage, resampling and the verdict's thresholds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """Defaults follow docs/feedback.md; `[recommend]` in the app config overrides them.

    ridge: pseudo-ratings that pull every value effect and rater offset towards 0.
    bootstrap: resamples of whole steps; seed: the resampling's seed (same data → same answer).
    near_best: how close (stars) the pick must be to the best to count as "near the best".
    p_recommend, min_ratings, min_steps: what the verdict "recommended" needs.
    """

    ridge: float = 1.0
    bootstrap: int = 400
    seed: int = 0
    near_best: float = 0.25
    p_recommend: float = 0.9
    min_ratings: int = 8
    min_steps: int = 2
    top: int = 3

    def __post_init__(self) -> None:
        if self.ridge <= 0:
            raise ValueError("ridge must be > 0")
        if self.bootstrap < 10:
            raise ValueError("bootstrap must be >= 10")
        if not 0 < self.p_recommend <= 1:
            raise ValueError("p_recommend must be in (0, 1]")
