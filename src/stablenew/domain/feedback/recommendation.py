"""What `recommend` answers: per-axis evidence, the pick, the verdict and what is missing.

`Recommendation.to_dict()` is the documented `stablenew.recommendation/1` JSON object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

RECOMMENDATION_SCHEMA = "stablenew.recommendation/1"


class Verdict(StrEnum):
    """How far the evidence carries the pick."""

    RECOMMENDED = "recommended"
    LEADING = "leading"
    INSUFFICIENT = "insufficient"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _interval(ci: tuple[float, float] | None) -> list[float | None] | None:
    return None if ci is None else [_round(ci[0]), _round(ci[1])]


@dataclass(frozen=True, slots=True)
class ValueEvidence:
    """One value of one axis: how much it was rated and its effect on the stars."""

    value: Any
    n_images: int
    n_steps: int
    mean_stars: float | None
    effect: float | None  # stars above the axis average, all else equal (None: never rated)
    ci95: tuple[float, float] | None
    bt_strength: float | None = None  # Bradley–Terry log-strength from preferences (None: none)
    n_comparisons: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the `values[]` entries of the JSON schema)."""
        return {
            "value": self.value,
            "n_images": self.n_images,
            "n_steps": self.n_steps,
            "mean_stars": _round(self.mean_stars),
            "effect": _round(self.effect),
            "ci95": _interval(self.ci95),
            "bt_strength": _round(self.bt_strength),
            "n_comparisons": self.n_comparisons,
        }


@dataclass(frozen=True, slots=True)
class AxisEvidence:
    """One axis and the evidence for each of its values."""

    stage: str
    variable: str
    values: tuple[ValueEvidence, ...]

    @property
    def label(self) -> str:
        """``stage.variable``."""
        return f"{self.stage}.{self.variable}" if self.stage else self.variable

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the `axes[]` entries of the JSON schema)."""
        return {"stage": self.stage, "variable": self.variable, "values": [v.to_dict() for v in self.values]}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A combination of values and the stars the model expects of it."""

    values: Mapping[str, Any]
    expected_stars: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"values": dict(self.values), "expected_stars": _round(self.expected_stars)}


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The model's answer for one plan (or one prompt/model outside a plan)."""

    plan: str | None
    verdict: Verdict
    pick: Mapping[str, Any]
    expected_stars: float | None
    ci95: tuple[float, float] | None
    p_near_best: float | None
    axes: tuple[AxisEvidence, ...]
    missing: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()
    n_ratings: int = 0
    n_steps: int = 0
    raters: tuple[str, ...] = ()
    rater_offsets: Mapping[str, float] = field(default_factory=dict)
    n_preferences: int = 0
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pick", MappingProxyType(dict(self.pick)))
        object.__setattr__(self, "rater_offsets", MappingProxyType(dict(self.rater_offsets)))
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))

    def with_plan(self, plan: str | None) -> Recommendation:
        """A copy naming the plan it is about."""
        return replace(self, plan=plan)

    def to_dict(self) -> dict[str, Any]:
        """The `stablenew.recommendation/1` object (docs/feedback.md documents every field)."""
        return {
            "schema": RECOMMENDATION_SCHEMA,
            "plan": self.plan,
            "verdict": self.verdict.value,
            "pick": dict(self.pick),
            "expected_stars": _round(self.expected_stars),
            "ci95": _interval(self.ci95),
            "p_near_best": _round(self.p_near_best),
            "axes": [axis.to_dict() for axis in self.axes],
            "missing": list(self.missing),
            "candidates": [c.to_dict() for c in self.candidates],
            "n_ratings": self.n_ratings,
            "n_steps": self.n_steps,
            "raters": {r: _round(self.rater_offsets.get(r)) for r in self.raters},
            "n_preferences": self.n_preferences,
            "settings": dict(self.settings),
        }
