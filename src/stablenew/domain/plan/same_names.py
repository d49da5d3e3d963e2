"""Axis values that name one thing twice (`Euler a, k_euler_a`): two steps that would run the same."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stablenew.domain.errors import PlanError
from stablenew.domain.plan.plan import LearningPlan

# The stage fields whose values are names a backend resolves (aliases, case, A1111 titles).
NAME_FIELDS = frozenset(
    {"model", "vae", "sampler_name", "scheduler", "upscaler", "upscaler_2", "hr_upscaler"}
)
Canonical = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


def refuse_same_names(plan: LearningPlan, canonical: Canonical) -> None:
    """PlanError at `axes[i].values` when two values of a name axis resolve to the same thing;
    `canonical(stage, {variable: value})` is the backend's spelling of the names it is given."""
    for index, axis in enumerate(plan.axes):
        if axis.variable not in NAME_FIELDS:
            continue
        seen: dict[tuple[tuple[str, str], ...], str] = {}
        for value in axis.values:
            resolved = canonical(axis.stage, {axis.variable: value})
            key = tuple(sorted((str(k), str(v)) for k, v in resolved.items()))
            if key in seen:
                same = ", ".join(str(v) for _, v in key)
                raise PlanError(
                    f'"{seen[key]}" and "{value}" are the same {axis.variable} on this backend ({same}); '
                    "each step must differ",
                    source=plan.source,
                    field=f"axes[{index}].values",
                )
            seen[key] = str(value)
