"""What the recommendation model reads: one rater's current judgement of images, with their settings.

These values join the feedback events to the records. The events side (`events`, ratings with
retractions and latest-wins applied) produces them; the model (`model`, `recommendation`) consumes
them and knows nothing about files or events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


def _frozen(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True, slots=True)
class RatedImage:
    """One rater's current rating of one image (latest rating wins; retracted ones are absent).

    `values` maps "<stage>.<variable>" (e.g. "txt2img.cfg_scale") to the value the step ran with,
    for every axis of the plan (or every field of interest outside a plan). `step_key` groups the
    images of one pipeline run: they share a seed and are not independent.
    """

    run_id: str
    step_key: str
    image_path: str
    rater: str
    stars: int
    values: Mapping[str, Any] = field(default_factory=dict)
    plan_id: str = ""
    confirmation: bool = False
    subscores: Mapping[str, int] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _frozen(self.values))
        object.__setattr__(self, "subscores", _frozen(self.subscores))


class PreferenceOutcome(StrEnum):
    """Which image of a pair the rater preferred."""

    A = "a"
    B = "b"
    TIE = "tie"


@dataclass(frozen=True, slots=True)
class PreferencePair:
    """One rater's current preference between two images, with both images' settings."""

    image_a: str
    image_b: str
    outcome: PreferenceOutcome
    rater: str
    values_a: Mapping[str, Any] = field(default_factory=dict)
    values_b: Mapping[str, Any] = field(default_factory=dict)
    step_key_a: str = ""
    step_key_b: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "values_a", _frozen(self.values_a))
        object.__setattr__(self, "values_b", _frozen(self.values_b))
