"""Plan files (TOML/JSON) → a checked LearningPlan; errors name the plan (or base) file and field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from stablenew.adapters.files.config_files import load_pipeline_config, read_data_file
from stablenew.domain.config.name_matching import unknown_field_message
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import InputError, PlanError
from stablenew.domain.plan.plan import LearningPlan
from stablenew.domain.plan.rules import build_plan

_TOP = ("plan", "axes", "base")
_PLAN = (
    "name",
    "base",
    "images_per_step",
    "seed",
    "experiment_name",
    "one_click_action_id",
    "description",
    "metadata",
)


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            raise PlanError(unknown_field_message(key, list(allowed)), field=f"{prefix}{key}")


def _base(path: Path, data: Mapping[str, Any], section: Mapping[str, Any]) -> PipelineConfig:
    """The inline [base] table, or the file `[plan] base` names (relative to the plan file)."""
    inline, named = data.get("base"), section.get("base")
    if inline is not None and named is not None:
        raise PlanError("give either [plan] base or an inline [base] table, not both", field="plan.base")
    if inline is not None:
        return parse_pipeline_config(inline, where="base")
    if named is None:
        raise PlanError(
            "is required (a pipeline config file, relative to the plan, or an inline [base] table)",
            field="plan.base",
        )
    if not isinstance(named, str) or not named.strip():
        raise PlanError(f"expected a file path, got {named!r}", field="plan.base")
    base_path = path.parent / named
    if base_path.is_dir():
        raise PlanError(f"{base_path} is a folder; expected a pipeline config file", field="plan.base")
    if not base_path.is_file():
        raise PlanError(f"file not found: {base_path}", field="plan.base")
    if base_path.resolve() == path.resolve():
        raise PlanError(f"names the plan file itself ({named!r}); expected a pipeline config file",
                        field="plan.base")
    return load_pipeline_config(base_path)  # its errors name the base file


def parse_plan_file_data(path: Path, data: Mapping[str, Any]) -> LearningPlan:
    """Plain plan data read from `path` → a LearningPlan (errors name the file only for the base file)."""
    _check_keys(data, _TOP, "")
    section = data.get("plan", {})
    if not isinstance(section, Mapping):
        raise PlanError("expected a [plan] table", field="plan")
    _check_keys(section, _PLAN, "plan")
    metadata = section.get("metadata", {})
    if not isinstance(metadata, Mapping):
        raise PlanError("expected a table", field="plan.metadata")
    metadata = dict(metadata)
    for key in ("experiment_name", "one_click_action_id", "description"):
        if key in section:
            if not isinstance(section[key], str):
                raise PlanError(f"expected a string, got {section[key]!r}", field=f"plan.{key}")
            metadata[key] = section[key]
    base = _base(path, data, section)
    named = section.get("base")
    plan = build_plan(
        name=section.get("name", path.stem),
        base=base,
        axes=data.get("axes", []),
        images_per_step=section.get("images_per_step", 1),
        seed=section.get("seed"),
        metadata=metadata,
        source=str(path),
        where="plan",
    )
    return replace(plan, base_source=str(path.parent / named) if isinstance(named, str) else None)


def load_plan(path: Path | str) -> LearningPlan:
    """Read and check a plan file; every error names the plan file (or the base file it points at)."""
    path = Path(path)
    data = read_data_file(path, error=PlanError)
    try:
        return parse_plan_file_data(path, data)
    except InputError as exc:
        raise (exc if exc.source else exc.with_source(str(path))) from None
