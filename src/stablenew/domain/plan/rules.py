"""Checking a learning plan's axes against its base config, with errors that name the field path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stablenew.domain.config.name_matching import unknown_field_message
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import coerce_field
from stablenew.domain.config.stage_fields import HIRES_FIELDS, STAGE_FIELDS, STAGE_ORDER, TXT2IMG, field_spec
from stablenew.domain.errors import AxisValueError, ConfigError, InputError, PlanError
from stablenew.domain.plan.axis_values import parse_axis_values
from stablenew.domain.plan.plan import PROMPT_SR, LearningPlan, PlanAxis
from stablenew.domain.plan.prompt_sr import check_prompt_sr_axis
from stablenew.domain.plan.steps import check_step_count

NOT_AXES = frozenset({"batch_size"})  # set by images_per_step
_AXIS_KEYS = ("stage", "variable", "values")
_MAX_IMAGES = 64


def _bools(values: Any) -> tuple[bool, ...]:
    """A bool axis: a TOML array of booleans, or a comma list of true/false."""
    if isinstance(values, list | tuple):
        items = values
    else:
        items = [{"true": True, "false": False}.get(v.lower(), v) for v in parse_axis_values(values, "str")]
    if not items:
        raise AxisValueError("no values")
    for item in items:
        if not isinstance(item, bool):
            raise AxisValueError(f'"{item}" is not true or false')
    return tuple(items)


def _stage_for(base: PipelineConfig, stage: Any, variable: str, where: str) -> str:
    """The axis stage as given (must be enabled in the base), or the first enabled stage taking it."""
    enabled = [s.stage for s in base.enabled_stages()]
    if stage is None:
        takers = [name for name in enabled if variable in STAGE_FIELDS[name]]
        if not takers:
            raise PlanError(
                f'no enabled stage of the base config accepts "{variable}"', field=f"{where}.variable"
            )
        return takers[0]
    if stage not in STAGE_ORDER:
        raise PlanError(
            f"unknown stage {stage!r} (expected one of: {', '.join(STAGE_ORDER)})", field=f"{where}.stage"
        )
    if stage not in enabled:
        raise PlanError(
            f"stage {stage!r} is not enabled in the base config (enabled: {', '.join(enabled)})",
            field=f"{where}.stage",
        )
    return str(stage)


def check_axis(base: PipelineConfig, raw: Any, where: str) -> PlanAxis:
    """One ``[[axes]]`` table → a PlanAxis with values parsed, typed and range-checked."""
    if not isinstance(raw, Mapping):
        raise PlanError("expected a table with stage, variable and values", field=where)
    for key in raw:
        if key not in _AXIS_KEYS:
            raise PlanError(unknown_field_message(key, list(_AXIS_KEYS)), field=f"{where}.{key}")
    variable = raw.get("variable")
    if not isinstance(variable, str) or not variable:
        raise PlanError("is required (a stage field name such as cfg_scale)", field=f"{where}.variable")
    if variable == PROMPT_SR:
        return check_prompt_sr_axis(base, raw, where)
    stage = _stage_for(base, raw.get("stage"), variable, where)
    spec = field_spec(stage, variable)
    if spec is None or variable in NOT_AXES:
        hint = " (set images_per_step instead)" if variable in NOT_AXES else ""
        accepted = ", ".join(v for v in STAGE_FIELDS[stage] if v not in NOT_AXES)
        raise PlanError(
            f"{stage} has no sweepable field {variable!r}{hint} (expected one of: {accepted})",
            field=f"{where}.variable",
        )
    if "values" not in raw:
        raise PlanError("is required (a list or an A1111 X/Y/Z value string)", field=f"{where}.values")
    try:
        raw_values = (
            _bools(raw["values"]) if spec.kind == "bool" else parse_axis_values(raw["values"], spec.kind)
        )
        values = tuple(coerce_field(spec, value, where) for value in raw_values)
    except AxisValueError as exc:
        raise PlanError(str(exc), field=f"{where}.values") from None
    except ConfigError as exc:
        raise PlanError(exc.message, field=f"{where}.values") from None
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise PlanError(f"{value!r} appears twice (each step must differ)", field=f"{where}.values")
        seen.add(value)
    return PlanAxis(stage=stage, variable=variable, values=values)


def _check_hires_axes(base: PipelineConfig, axes: tuple[PlanAxis, ...]) -> None:
    """A sweep of a hires setting needs hires fix on: in the base, or swept by an enable_hr axis."""
    for index, axis in enumerate(axes):
        if axis.variable not in HIRES_FIELDS or axis.variable == "enable_hr":
            continue
        table = base.stage(axis.stage)
        on = table is not None and table.get("enable_hr") is True
        if not on and not any(a.variable == "enable_hr" and a.stage == axis.stage for a in axes):
            raise PlanError(
                f"hires fix is off in the base config, so {axis.variable} would change nothing: set "
                f"{axis.stage}.enable_hr = true (or sweep enable_hr)",
                field=f"axes[{index}].variable",
            )


def _int_field(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PlanError(f"expected an integer {low}–{high}, got {value!r}", field=where)
    return value


def build_plan(
    *,
    name: str,
    base: PipelineConfig,
    axes: Sequence[Any],
    images_per_step: Any = 1,
    seed: Any = None,
    metadata: Mapping[str, Any] | None = None,
    source: str | None = None,
    where: str = "",
) -> LearningPlan:
    """Check every part of a plan against its base and return it (PlanError names the field path)."""
    prefix = f"{where}." if where else ""
    if not isinstance(name, str) or not name.strip():
        raise PlanError("expected a non-empty string", field=f"{prefix}name")
    if not isinstance(axes, list | tuple) or not axes:
        raise PlanError("at least one [[axes]] table is required", field="axes")
    checked = tuple(check_axis(base, raw, f"axes[{i}]") for i, raw in enumerate(axes))
    labels = [axis.label for axis in checked]
    for i, label in enumerate(labels):
        if label in labels[:i]:
            raise PlanError(
                f"{label} is already swept by axes[{labels.index(label)}]", field=f"axes[{i}].variable"
            )
    _check_hires_axes(base, checked)
    images = _int_field(images_per_step, f"{prefix}images_per_step", 1, _MAX_IMAGES)
    if seed is not None:
        seed = _int_field(seed, f"{prefix}seed", 0, 2**32 - 1)
    plan = LearningPlan(
        name=name.strip(),
        base=base,
        axes=checked,
        images_per_step=images,
        seed=seed,
        metadata=dict(metadata or {}),
        source=source,
    )
    check_step_count(plan)  # refuses an oversized product before anything runs
    return plan


def rebase_plan(plan: LearningPlan, base: PipelineConfig) -> LearningPlan:
    """The plan over another base config; its axes are checked again against that base."""
    axes = [{"stage": a.stage, "variable": a.variable, "values": list(a.values)} for a in plan.axes]
    return build_plan(
        name=plan.name,
        base=base,
        axes=axes,
        images_per_step=plan.images_per_step,
        seed=plan.seed,
        metadata=plan.metadata,
        source=plan.source,
    )


def first_stage_seed(base: PipelineConfig) -> int | None:
    """The base's fixed txt2img seed (the seed every step shares when the plan sets none), or None."""
    stage = base.stage(TXT2IMG)
    seed = stage.get("seed") if stage is not None and stage.enabled else None
    return seed if isinstance(seed, int) and seed >= 0 else None



def _axis_feeds(plan: LearningPlan, axis: PlanAxis, stage: str, variable: str) -> bool:
    """True when `axis` sets `stage.variable`: on that stage, or on an earlier one it inherits from."""
    if axis.variable != variable or stage not in STAGE_ORDER:
        return False
    if axis.stage == stage:
        return True
    start, end = STAGE_ORDER.index(axis.stage), STAGE_ORDER.index(stage)
    between = [s for s in plan.base.enabled_stages() if start < STAGE_ORDER.index(s.stage) <= end]
    return start < end and all(variable not in s.params for s in between)


def locate_step_config_error(plan: LearningPlan, error: InputError) -> InputError:
    """Point an error found in a step's config (e.g. an unknown sampler) at where the value came from:
    the axis that set it (``axes[i].values`` in the plan file), else the base config file, else the
    plan's inline ``[base]`` table."""
    stage, _, variable = (error.field or "").partition(".")
    if error.source != plan.source or stage not in STAGE_ORDER:
        return error  # not about a step's stage fields (e.g. a workflow file): leave it as it is
    for index, axis in enumerate(plan.axes):
        if _axis_feeds(plan, axis, stage, variable):
            return PlanError(error.message, source=plan.source, field=f"axes[{index}].values")
    if plan.base_source is not None:
        return type(error)(error.message, source=plan.base_source, field=error.field)
    field = f"base.{error.field}" if error.field else "base"
    return type(error)(error.message, source=plan.source, field=field)
