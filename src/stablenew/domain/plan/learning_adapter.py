"""Building learning plans from a base config and a few options (no plan file needed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import PlanError
from stablenew.domain.plan.plan import LearningPlan
from stablenew.domain.plan.rules import build_plan


def as_pipeline_config(base: PipelineConfig | Mapping[str, Any]) -> PipelineConfig:
    """A PipelineConfig as is, or plain config-file data checked into one (ConfigError at `base.…`)."""
    if isinstance(base, PipelineConfig):
        return base
    return parse_pipeline_config(base, where="base")


def build_single_variable_plan(
    base_config: PipelineConfig | Mapping[str, Any],
    *,
    stage: str | None,
    variable: str,
    values: str | list[Any] | tuple[Any, ...],
    name: str | None = None,
    images_per_step: int = 1,
    seed: int | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> LearningPlan:
    """A one-axis sweep: `variable` of `stage` (None: the first enabled stage taking it) over `values`.

    `values` is a list or an A1111 X/Y/Z string ("4-10 (+2)"); errors are PlanErrors whose field
    path is ``axes[0].values`` and so on, as for a plan file.
    """
    base = as_pipeline_config(base_config)
    if not isinstance(variable, str) or not variable:
        raise PlanError("expected a stage field name such as cfg_scale", field="axes[0].variable")
    label = f"{stage}.{variable}" if stage else variable
    axis: dict[str, Any] = {"variable": variable, "values": values}
    if stage is not None:
        axis["stage"] = stage
    return build_plan(
        name=name or f"{label} sweep",
        base=base,
        axes=[axis],
        images_per_step=images_per_step,
        seed=seed,
        metadata=metadata,
    )
