"""Reading a pipeline config from plain data, with errors that name the field path."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from stablenew.domain.config.name_matching import unknown_field_message
from stablenew.domain.config.pipeline import PipelineConfig, StageConfig
from stablenew.domain.config.stage_fields import (
    NEEDS_INPUT_IMAGE,
    REQUIRED_FIELDS,
    STAGE_FIELDS,
    STAGE_ORDER,
    FieldSpec,
)
from stablenew.domain.errors import ConfigError

_TOP_STRINGS = ("prompt", "negative_prompt", "prompt_pack", "prompt_id")
_KIND_NAMES = {"int": "an integer", "float": "a number", "str": "a string", "bool": "true or false"}


def coerce_field(spec: FieldSpec, value: Any, where: str) -> Any:
    """Check `value` against `spec`; return it in canonical type or raise ConfigError at `where`."""
    expected = _KIND_NAMES[spec.kind]
    if spec.kind == "bool":
        ok = isinstance(value, bool)
    elif spec.kind == "str":
        ok = isinstance(value, str) and value.strip() != ""
        expected = "a non-empty string"
    elif spec.kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok:
        raise ConfigError(f"expected {expected}, got {value!r}", field=where)
    if spec.kind == "float":
        value = float(value) + 0.0  # -0.0 becomes 0.0: shown, recorded and compared as 0
    if spec.kind in ("int", "float"):
        low_bad = spec.minimum is not None and (
            value <= spec.minimum if spec.exclusive_minimum else value < spec.minimum
        )
        high_bad = spec.maximum is not None and value > spec.maximum
        if low_bad or high_bad:
            raise ConfigError(f"{value!r} is out of range (expected {spec.describe_range()})", field=where)
    return value


def _json_ready(value: Any, where: str) -> Any:
    """Free metadata as JSON-ready data: TOML dates become ISO strings; NaN/inf are refused."""
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"expected a finite number, got {value!r}", field=where)
    if value is None or isinstance(value, str | int | float):
        return value
    raise ConfigError(f"expected a string, number, true/false, array or table, got {value!r}", field=where)


def parse_stage(name: str, table: Any, where: str) -> StageConfig:
    """One stage table → StageConfig; unknown fields and bad values are errors."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"expected a table of {name} settings, got {table!r}", field=where)
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"expected true or false, got {enabled!r}", field=f"{where}.enabled")
    specs = STAGE_FIELDS[name]
    params: dict[str, Any] = {}
    for key, value in table.items():
        if key == "enabled":
            continue
        spec = specs.get(key)
        if spec is None:
            raise ConfigError(unknown_field_message(key, list(specs)), field=f"{where}.{key}")
        params[key] = coerce_field(spec, value, f"{where}.{key}")
    return StageConfig(stage=name, params=params, enabled=enabled)


def parse_pipeline_config(data: Any, *, where: str = "") -> PipelineConfig:
    """Plain data (from TOML/JSON) → a checked PipelineConfig. `where` prefixes field paths."""
    prefix = f"{where}." if where else ""
    if not isinstance(data, Mapping):
        raise ConfigError("expected a table", field=where or None)
    strings: dict[str, Any] = {}
    stages: list[StageConfig] = []
    metadata: Mapping[str, Any] = {}
    for key, value in data.items():
        if key in _TOP_STRINGS:
            if not isinstance(value, str):
                raise ConfigError(f"expected a string, got {value!r}", field=f"{prefix}{key}")
            strings[key] = value
        elif key in STAGE_ORDER:
            stages.append(parse_stage(key, value, f"{prefix}{key}"))
        elif key == "metadata":
            if not isinstance(value, Mapping):
                raise ConfigError("expected a table", field=f"{prefix}metadata")
            metadata = _json_ready(value, f"{prefix}metadata")
        else:
            allowed = (*_TOP_STRINGS, *STAGE_ORDER, "metadata")
            raise ConfigError(unknown_field_message(key, allowed), field=f"{prefix}{key}")
    if not strings.get("prompt", "").strip():
        raise ConfigError("is required (a non-empty string)", field=f"{prefix}prompt")
    config = PipelineConfig(stages=tuple(stages), metadata=metadata, **strings)
    check_stage_chain(config, where=where)
    return config


def check_stage_chain(config: PipelineConfig, *, where: str = "") -> None:
    """At least one enabled stage; each stage needing an input image has a producer before it."""
    prefix = f"{where}." if where else ""
    enabled = config.enabled_stages()
    if not enabled:
        raise ConfigError(
            f"no enabled stage (expected at least one of: {', '.join(STAGE_ORDER)})", field=where or None
        )
    if enabled[0].stage in NEEDS_INPUT_IMAGE:
        first = enabled[0].stage
        raise ConfigError(
            f"needs an input image, so an enabled stage that produces one must come before it "
            f"(stage order: {' → '.join(STAGE_ORDER)})",
            field=f"{prefix}{first}",
        )
    for stage in enabled:
        for required in REQUIRED_FIELDS.get(stage.stage, ()):
            if stage.get(required) is None:
                raise ConfigError("is required", field=f"{prefix}{stage.stage}.{required}")
