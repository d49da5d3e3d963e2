"""The settings an image file carries, in our config's field names, and where they came from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from stablenew.domain.records.infotext import Infotext, parse_infotext

A1111, FORGE, COMFYUI, STABLENEW = "a1111", "forge", "comfyui", "stablenew"
OUR_CHUNK = "stablenew"

# A1111 infotext key → (our txt2img field, type).
_FIELDS: dict[str, tuple[str, type]] = {
    "Steps": ("steps", int), "CFG scale": ("cfg_scale", float), "Seed": ("seed", int),
    "Model": ("model", str), "VAE": ("vae", str), "Clip skip": ("clip_skip", int),
    "Hires upscale": ("hr_scale", float), "Hires steps": ("hr_second_pass_steps", int),
    "Hires upscaler": ("hr_upscaler", str),
}


@dataclass(frozen=True, slots=True)
class Settings:
    """What was read: prompts, one stage's fields (our names), the keys we keep as they were
    (`extra`), what a partial read could not find (`missing`), and our own run id when there is one."""

    source_format: str
    prompt: str = ""
    negative_prompt: str = ""
    stage: str = "txt2img"
    params: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    run_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))


def _number(kind: type, text: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        return None


def settings_from_infotext(text: str) -> Settings:
    """An A1111 / Forge infotext (new or old: "DPM++ 2M Karras" is split) in our field names."""
    info: Infotext = parse_infotext(text)
    params: dict[str, Any] = {}
    extra = dict(info.params)
    for key, (name, kind) in _FIELDS.items():
        if key in extra:
            value = _number(kind, extra[key]) if kind is not str else extra[key]
            if value is not None:
                params[name] = value
                del extra[key]
    sampler, schedule = info.sampler_pair()
    if sampler:
        params["sampler_name"] = sampler
        extra.pop("Sampler", None)
    if schedule:
        params["scheduler"] = schedule
        extra.pop("Schedule type", None)
    size = info.size()
    if size is not None:
        params["width"], params["height"] = size
        extra.pop("Size", None)
    denoise = _number(float, extra.pop("Denoising strength", "")) if "Denoising strength" in extra else None
    hires = "hr_scale" in params or "hr_upscaler" in params
    stage = "txt2img"
    if hires:
        params["enable_hr"] = True
        if denoise is not None:
            params["hr_denoising_strength"] = denoise
    elif denoise is not None:
        stage, params["denoising_strength"] = "img2img", denoise
    version = extra.get("Version", "")
    source = FORGE if version.startswith("f") or "forge" in version.lower() else A1111
    return Settings(source, info.prompt, info.negative_prompt, stage, params, extra)


def settings_from_ours(chunk: str) -> Settings | None:
    """Our own PNG's JSON chunk: the run that made it, its stage, prompts and params."""
    try:
        data = json.loads(chunk)
    except ValueError:
        return None
    if not isinstance(data, Mapping) or not isinstance(data.get("run_id"), str):
        return None
    params = data.get("params") if isinstance(data.get("params"), Mapping) else {}
    return Settings(STABLENEW, str(data.get("prompt") or ""), str(data.get("negative_prompt") or ""),
                    str(data.get("stage") or "txt2img"), dict(params or {}), run_id=data["run_id"])
