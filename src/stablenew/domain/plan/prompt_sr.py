"""Prompt S/R, A1111's X/Y/Z axis: the first value is searched for, every value replaces it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.errors import AxisValueError, PlanError
from stablenew.domain.plan.axis_values import parse_axis_values
from stablenew.domain.plan.plan import PROMPT_SR, LearningPlan, PlanAxis

__all__ = ["PROMPT_SR", "apply_prompt_sr", "check_prompt_sr_axis", "plan_prompts"]


def check_prompt_sr_axis(base: PipelineConfig, raw: Mapping[str, Any], where: str) -> PlanAxis:
    """A ``prompt_sr`` axis: text values, the first found in the base prompt or negative prompt."""
    if raw.get("stage") not in (None, ""):
        raise PlanError(
            "prompt_sr replaces text in the prompt and negative prompt, not a stage field; leave stage out",
            field=f"{where}.stage",
        )
    if "values" not in raw:
        raise PlanError("is required (the search text first, then its replacements)", field=f"{where}.values")
    try:
        values = parse_axis_values(raw["values"], "str")
    except AxisValueError as exc:
        raise PlanError(str(exc), field=f"{where}.values") from None
    search = values[0]
    if not search:
        raise PlanError("the first value is the search text and cannot be empty", field=f"{where}.values")
    if search not in base.prompt and search not in base.negative_prompt:
        raise PlanError(f'the search text "{search}" is not in the prompt or negative prompt',
                        field=f"{where}.values")
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise PlanError(f"{value!r} appears twice (each step must differ)", field=f"{where}.values")
        seen.add(value)
    return PlanAxis(stage="", variable=PROMPT_SR, values=tuple(values))


def apply_prompt_sr(config: PipelineConfig, search: str, replacement: str) -> PipelineConfig:
    """The config with every `search` in the prompt and negative prompt replaced (A1111's S/R)."""
    if replacement == search:
        return config
    return config.with_prompts(
        prompt=config.prompt.replace(search, replacement),
        negative_prompt=config.negative_prompt.replace(search, replacement),
    )


def plan_prompts(plan: LearningPlan) -> frozenset[tuple[str, str]]:
    """Every (prompt, negative prompt) the plan's steps run with: the base's, or each S/R variant."""
    prompts = {(plan.base.prompt, plan.base.negative_prompt)}
    for axis in plan.axes:
        if axis.variable == PROMPT_SR:
            variants = (apply_prompt_sr(plan.base, axis.values[0], value) for value in axis.values)
            prompts.update((c.prompt, c.negative_prompt) for c in variants)
    return frozenset(prompts)
