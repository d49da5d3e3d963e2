"""Expanding a plan into steps (costly switches least often) and deriving each step's config."""

from __future__ import annotations

import itertools
import math
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.stage_fields import COSTLY_FIELDS, STAGE_FIELDS, TXT2IMG
from stablenew.domain.errors import PlanError
from stablenew.domain.plan.plan import PROMPT_SR, LearningPlan, LearningRunStep, PlanAxis, step_key_for
from stablenew.domain.plan.prompt_sr import apply_prompt_sr

MAX_PLAN_STEPS = 1_000_000


def loop_order(axes: tuple[PlanAxis, ...]) -> list[int]:
    """Axis indexes from the outermost loop to the innermost.

    Costly axes (model, vae, upscaler) are outermost so they switch least often; within each group
    the first axis in the file varies fastest, like A1111's X.
    """
    costly = [i for i, axis in enumerate(axes) if axis.variable in COSTLY_FIELDS]
    cheap = [i for i, axis in enumerate(axes) if axis.variable not in COSTLY_FIELDS]
    return [*reversed(costly), *reversed(cheap)]


def count_steps(plan: LearningPlan) -> int:
    """How many steps the plan expands to (the product of its axis lengths)."""
    return math.prod(len(axis.values) for axis in plan.axes)


def check_step_count(plan: LearningPlan) -> int:
    """The number of steps; a product over MAX_PLAN_STEPS is a PlanError."""
    total = count_steps(plan)
    if total > MAX_PLAN_STEPS:
        raise PlanError(f"the axes give {total} steps (at most {MAX_PLAN_STEPS})", field="axes")
    return total


def expand_plan(plan: LearningPlan) -> tuple[LearningRunStep, ...]:
    """Every step of the plan, in run order; a product over MAX_PLAN_STEPS is a PlanError."""
    check_step_count(plan)
    order = loop_order(plan.axes)
    steps: list[LearningRunStep] = []
    for index, combo in enumerate(itertools.product(*(plan.axes[i].values for i in order))):
        chosen = dict(zip(order, combo, strict=True))
        assignments = tuple((axis.stage, axis.variable, chosen[i]) for i, axis in enumerate(plan.axes))
        steps.append(
            LearningRunStep(
                index=index,
                key=step_key_for(plan.name, assignments),
                assignments=assignments,
                images_requested=plan.images_per_step,
            )
        )
    return tuple(steps)


def derive_step_config(
    base: PipelineConfig,
    step: LearningRunStep,
    plan: LearningPlan,
    *,
    max_images: int | None = None,
) -> PipelineConfig:
    """A NEW config for one step: shared seed, images per step as batch size, the step's values.

    The plan seed (when set and seed is no axis) replaces the seed of every enabled stage that has
    one; images_per_step (capped by `max_images`) becomes the txt2img batch_size; `base` is untouched.
    """
    changes: dict[str, dict[str, Any]] = {}
    if plan.seed is not None and not plan.seed_is_axis:
        for table in base.enabled_stages():
            if "seed" in STAGE_FIELDS[table.stage]:
                changes.setdefault(table.stage, {})["seed"] = plan.seed
    images = step.images_requested if max_images is None else min(step.images_requested, max_images)
    changes.setdefault(TXT2IMG, {})["batch_size"] = images
    config = base
    for axis, (stage, variable, value) in zip(plan.axes, step.assignments, strict=True):
        if variable == PROMPT_SR:
            config = apply_prompt_sr(config, axis.values[0], value)
        else:
            changes.setdefault(stage, {})[variable] = value
    for name, params in changes.items():
        found = config.stage(name)
        if found is not None:
            config = config.with_stage(found.with_params(**params))
    return config
