"""Pipeline configuration values: one StageConfig per present stage, in canonical order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from stablenew.domain.config.stage_fields import (
    ADETAILER,
    HIRES_DEFAULTS,
    IMG2IMG,
    INHERITED_FIELDS,
    STAGE_DEFAULTS,
    STAGE_FIELDS,
    STAGE_ORDER,
    TXT2IMG,
    UPSCALE,
)


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class StageConfig:
    """One stage's settings, as written (unset fields are absent); `get` reads a field."""

    stage: str
    params: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))

    def get(self, name: str, default: Any = None) -> Any:
        """The value of field `name`, or `default` when unset."""
        return self.params.get(name, default)

    def with_params(self, **changes: Any) -> StageConfig:
        """A new StageConfig with `changes` applied; this one is untouched."""
        return replace(self, params={**self.params, **changes})

    def to_dict(self) -> dict[str, Any]:
        """The stage table in the config file's shape."""
        body = dict(self.params)
        if not self.enabled:
            body["enabled"] = False
        return body


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """What to generate: prompts, pack/prompt ids, the stage tables and free metadata."""

    prompt: str
    stages: tuple[StageConfig, ...]
    negative_prompt: str = ""
    prompt_pack: str | None = None
    prompt_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.stages, key=lambda s: STAGE_ORDER.index(s.stage)))
        object.__setattr__(self, "stages", ordered)
        object.__setattr__(self, "metadata", _frozen(self.metadata))

    def stage(self, name: str) -> StageConfig | None:
        """The stage table named `name`, enabled or not, or None."""
        return next((s for s in self.stages if s.stage == name), None)

    def enabled_stages(self) -> tuple[StageConfig, ...]:
        """The enabled stages in canonical order."""
        return tuple(s for s in self.stages if s.enabled)

    @property
    def txt2img(self) -> StageConfig | None:
        """The txt2img table, enabled or not, or None."""
        return self.stage(TXT2IMG)

    @property
    def img2img(self) -> StageConfig | None:
        """The img2img table, enabled or not, or None."""
        return self.stage(IMG2IMG)

    @property
    def adetailer(self) -> StageConfig | None:
        """The adetailer table, enabled or not, or None."""
        return self.stage(ADETAILER)

    @property
    def upscale(self) -> StageConfig | None:
        """The upscale table, enabled or not, or None."""
        return self.stage(UPSCALE)

    def with_stage(self, stage: StageConfig) -> PipelineConfig:
        """A new config with `stage` replacing the table of the same name."""
        others = tuple(s for s in self.stages if s.stage != stage.stage)
        return replace(self, stages=(*others, stage))

    def with_prompts(self, *, prompt: str, negative_prompt: str) -> PipelineConfig:
        """A new config with these prompts; this one is untouched."""
        return replace(self, prompt=prompt, negative_prompt=negative_prompt)

    def to_dict(self) -> dict[str, Any]:
        """The config in the config file's shape (what `stablenew run` reads)."""
        body: dict[str, Any] = {"prompt": self.prompt, "negative_prompt": self.negative_prompt}
        if self.prompt_pack is not None:
            body["prompt_pack"] = self.prompt_pack
        if self.prompt_id is not None:
            body["prompt_id"] = self.prompt_id
        if self.metadata:
            body["metadata"] = dict(self.metadata)
        for stage in self.stages:
            body[stage.stage] = stage.to_dict()
        return body


def effective_stages(config: PipelineConfig) -> Iterator[StageConfig]:
    """The enabled stages with defaults and inherited fields filled in, in run order."""
    previous: Mapping[str, Any] = {}
    for stage in config.enabled_stages():
        params: dict[str, Any] = dict(STAGE_DEFAULTS.get(stage.stage, {}))
        accepted = STAGE_FIELDS[stage.stage]
        params.update({k: previous[k] for k in INHERITED_FIELDS if k in previous and k in accepted})
        params.update(stage.params)
        if params.get("enable_hr") is True:
            params = {**HIRES_DEFAULTS, **params}
        resolved = replace(stage, params=params)
        previous = {**previous, **{k: v for k, v in params.items() if k in INHERITED_FIELDS}}
        yield resolved


def resolve(config: PipelineConfig) -> PipelineConfig:
    """The config as it will run: every enabled stage fully filled in; disabled stages dropped."""
    return replace(config, stages=tuple(effective_stages(config)))
