"""The model's design: which axes and values, which raters, and each step's sufficient statistics.

Parameters are numbered: 0 is the overall mean, then every (axis, value) in order, then every rater.
A step is the unit of resampling; steps with identical statistics are grouped, since they are
exchangeable (a group of k steps is resampled with one Poisson(k) draw).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stablenew.domain.feedback.observations import RatedImage

_ABSENT = object()


def value_key(value: Any) -> Hashable:
    """A hashable stand-in for an axis value (7 and 7.0 are the same value)."""
    try:
        hash(value)
    except TypeError:
        return json.dumps(value, sort_keys=True)
    return value  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class AxisSpec:
    """One axis the model estimates: its label ("stage.variable") and its values in display order."""

    label: str
    values: tuple[Any, ...]

    @property
    def stage(self) -> str:
        """The stage half of the label."""
        return self.label.partition(".")[0]

    @property
    def variable(self) -> str:
        """The variable half of the label."""
        return self.label.partition(".")[2]


@dataclass(frozen=True, slots=True)
class StepGroup:
    """`count` steps that ran `cell` (one parameter index per axis) and got the same ratings:
    per rater index, the number of ratings and their sum of stars."""

    cell: tuple[int, ...]
    stats: tuple[tuple[int, int, int], ...]
    count: int


@dataclass(frozen=True, slots=True)
class Design:
    """Everything the fit needs, with per-value and per-rater counts for the tables."""

    axes: tuple[AxisSpec, ...]
    raters: tuple[str, ...]
    offsets: tuple[int, ...]  # parameter index of each axis's first value
    groups: tuple[StepGroup, ...]
    n_images: tuple[int, ...]  # per parameter index (axis values only are meaningful)
    n_steps: tuple[int, ...]
    star_sums: tuple[int, ...]
    total_ratings: int
    total_steps: int

    @property
    def size(self) -> int:
        """Number of parameters."""
        return 1 + sum(len(axis.values) for axis in self.axes) + len(self.raters)

    def rater_index(self, rater: int) -> int:
        """Parameter index of rater number `rater`."""
        return 1 + sum(len(axis.values) for axis in self.axes) + rater


def infer_axes(ratings: Sequence[RatedImage]) -> tuple[AxisSpec, ...]:
    """Axes outside a plan: every label that all ratings carry and that takes ≥ 2 values."""
    if not ratings:
        return ()
    labels = set(ratings[0].values)
    for rating in ratings:
        labels &= set(rating.values)
    axes = []
    for label in sorted(labels):
        seen: dict[Hashable, Any] = {}
        for rating in ratings:
            seen.setdefault(value_key(rating.values[label]), rating.values[label])
        if len(seen) >= 2:
            axes.append(AxisSpec(label, tuple(sorted(seen.values(), key=_sort_key))))
    return tuple(axes)


def _sort_key(value: Any) -> tuple[int, float, str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return (1, 0.0, str(value))
    return (0, float(value), "")


def build_design(ratings: Sequence[RatedImage], axes: Sequence[AxisSpec]) -> Design:
    """Ratings → design; a rating whose value on an axis is not one of the axis's values is left out.

    The result does not depend on the order of `ratings` (raters and groups are sorted).
    """
    index: list[dict[Hashable, int]] = []
    position = 1
    for axis in axes:
        index.append({value_key(v): position + i for i, v in enumerate(axis.values)})
        position += len(axis.values)
    kept = [(rating, cell) for rating in ratings if (cell := _cell(rating.values, axes, index)) is not None]
    raters = {name: i for i, name in enumerate(sorted({rating.rater for rating, _ in kept}))}
    steps: dict[tuple[str, tuple[int, ...]], dict[int, list[int]]] = {}
    for rating, cell in kept:
        per_rater = steps.get((rating.step_key, cell))
        if per_rater is None:
            per_rater = steps[(rating.step_key, cell)] = {}
        stat = per_rater.get(raters[rating.rater])
        if stat is None:
            per_rater[raters[rating.rater]] = [1, rating.stars]
        else:
            stat[0] += 1
            stat[1] += rating.stars
    size = position + len(raters)
    n_images, n_steps, star_sums = [0] * size, [0] * size, [0] * size
    grouped: dict[tuple[tuple[int, ...], tuple[tuple[int, int, int], ...]], int] = {}
    for (_, cell), per_rater in steps.items():
        if len(per_rater) == 1:
            ((r, (images, stars)),) = per_rater.items()
            stats: tuple[tuple[int, int, int], ...] = ((r, images, stars),)
        else:
            stats = tuple(sorted((r, n, y) for r, (n, y) in per_rater.items()))
            images, stars = sum(s[1] for s in stats), sum(s[2] for s in stats)
        grouped[(cell, stats)] = grouped.get((cell, stats), 0) + 1
        for param in cell:
            n_images[param] += images
            n_steps[param] += 1
            star_sums[param] += stars
    return Design(
        axes=tuple(axes),
        raters=tuple(raters),
        offsets=tuple(min(ix.values(), default=0) for ix in index),
        groups=tuple(StepGroup(cell, stats, count) for (cell, stats), count in sorted(grouped.items())),
        n_images=tuple(n_images),
        n_steps=tuple(n_steps),
        star_sums=tuple(star_sums),
        total_ratings=len(kept),
        total_steps=len(steps),
    )


def _cell(
    values: Mapping[str, Any], axes: Sequence[AxisSpec], index: Sequence[Mapping[Hashable, int]]
) -> tuple[int, ...] | None:
    cell = []
    for axis, ix in zip(axes, index, strict=True):
        value = values.get(axis.label, _ABSENT)
        try:
            param = ix.get(value)
        except TypeError:  # an unhashable value (a list): its JSON text is its key
            param = ix.get(json.dumps(value, sort_keys=True))
        if param is None:
            return None
        cell.append(param)
    return tuple(cell)
