"""Learning plan values: the axes of a sweep over a base config, and the steps it expands to."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig

PROMPT_SR = "prompt_sr"  # the one axis that sets no stage field: it rewrites the prompts


def axis_label(stage: str, variable: str) -> str:
    """``stage.variable``, or the variable alone for an axis on no stage (``prompt_sr``)."""
    return f"{stage}.{variable}" if stage else variable


def plan_id_for(name: str) -> str:
    """The stable id of a plan: a short hash of its name, so the same plan file resumes."""
    return "plan-" + hashlib.sha256(f"stablenew-plan\n{name}".encode()).hexdigest()[:12]


def step_key_for(plan_name: str, assignments: tuple[tuple[str, str, Any], ...]) -> str:
    """A step's key: a short hash of the plan name and its own sorted `stage.variable=value` pairs."""
    pairs = sorted(f"{stage}.{variable}={json.dumps(value)}" for stage, variable, value in assignments)
    digest = hashlib.sha256("\n".join([plan_name, *pairs]).encode("utf-8")).hexdigest()
    return digest[:16]


@dataclass(frozen=True, slots=True)
class PlanAxis:
    """One swept variable: which stage it sets, its name, and its checked values in order."""

    stage: str  # "" for prompt_sr
    variable: str
    values: tuple[Any, ...]

    @property
    def label(self) -> str:
        """``stage.variable``, the name this axis has in records and reports."""
        return axis_label(self.stage, self.variable)


@dataclass(frozen=True, slots=True)
class LearningRunStep:
    """One pipeline run of a plan: its position, its key and the values it sets."""

    index: int
    key: str
    assignments: tuple[tuple[str, str, Any], ...]  # (stage, variable, value), in axis order
    images_requested: int = 1

    @property
    def number(self) -> int:
        """The step's number in everything printed: 1 for the first step (records keep `index`)."""
        return self.index + 1

    @property
    def variables(self) -> dict[str, Any]:
        """``{"stage.variable": value}`` for every axis of the step."""
        return {axis_label(stage, variable): value for stage, variable, value in self.assignments}

    @property
    def stage(self) -> str:
        """The stage of the first axis (the only one in a single-variable plan)."""
        return self.assignments[0][0]

    @property
    def variable(self) -> str:
        """The variable of the first axis."""
        return self.assignments[0][1]

    @property
    def value(self) -> Any:
        """The value of the first axis."""
        return self.assignments[0][2]

    def describe(self) -> str:
        """``txt2img.cfg_scale=7.0, txt2img.sampler_name=Euler a`` for progress lines."""
        return ", ".join(f"{label}={value}" for label, value in self.variables.items())

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "index": self.index,
            "key": self.key,
            "variables": self.variables,
            "images_requested": self.images_requested,
        }


@dataclass(frozen=True, slots=True)
class LearningPlan:
    """A sweep: a name, a base config, one or more axes, images per step and a seed policy."""

    name: str
    base: PipelineConfig
    axes: tuple[PlanAxis, ...]
    images_per_step: int = 1
    seed: int | None = None  # shared by every step unless seed is an axis; None: drawn at run time
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None  # the plan file, when it came from one
    base_source: str | None = None  # the base config file it names; None for an inline [base]

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @property
    def id(self) -> str:
        """The plan id records carry (see plan_id_for)."""
        return plan_id_for(self.name)

    @property
    def experiment_name(self) -> str:
        """``metadata.experiment_name``, else the plan name."""
        return str(self.metadata.get("experiment_name") or self.name)

    @property
    def one_click_action_id(self) -> str | None:
        """The one-click action that built this plan, when one did."""
        value = self.metadata.get("one_click_action_id")
        return None if value is None else str(value)

    @property
    def seed_is_axis(self) -> bool:
        """True when some axis sweeps the seed (then no shared seed applies)."""
        return any(axis.variable == "seed" for axis in self.axes)

    def with_seed(self, seed: int | None) -> LearningPlan:
        """A copy with the shared seed set."""
        return replace(self, seed=seed)

    def with_metadata(self, extra: Mapping[str, Any]) -> LearningPlan:
        """A copy with `extra` merged over the metadata."""
        return replace(self, metadata={**self.metadata, **extra})

    def to_dict(self) -> dict[str, Any]:
        """Plain data: what dataset builders need to reconstruct the sweep."""
        return {
            "id": self.id,
            "name": self.name,
            "experiment_name": self.experiment_name,
            "images_per_step": self.images_per_step,
            "seed": self.seed,
            "axes": [{"stage": a.stage, "variable": a.variable, "values": list(a.values)} for a in self.axes],
            "metadata": dict(self.metadata),
            "base": self.base.to_dict(),
            "source": self.source,
        }
