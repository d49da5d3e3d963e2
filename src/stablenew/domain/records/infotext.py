"""A1111 `parameters` infotext: written as A1111 1.10 writes it, parsed as its PNG Info tab parses it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from stablenew.domain.config.a1111_names import canonical_sampler_pair

__all__ = ["Infotext", "format_infotext", "parse_infotext", "postprocess_infotext", "quote"]

# A1111's own `Key: value,` pattern (modules/infotext_utils.py, re_param_code) and its image size.
_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_SIZE = re.compile(r"^(\d+)x(\d+)$")
_NEGATIVE = "Negative prompt:"
_MODEL_TITLE = re.compile(r"^(?P<name>.*?)\s*\[(?P<hash>[0-9a-fA-F]{8,64})\]$")
_MODEL_EXTENSIONS = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft")

# Our field → A1111's key, in the order A1111 writes them.
_LABELS = (
    ("steps", "Steps"),
    ("sampler_name", "Sampler"),
    ("scheduler", "Schedule type"),
    ("cfg_scale", "CFG scale"),
    ("seed", "Seed"),
    ("size", "Size"),
    ("model_hash", "Model hash"),
    ("model", "Model"),
    ("vae", "VAE"),
    ("denoising_strength", "Denoising strength"),
    ("clip_skip", "Clip skip"),
    ("hr_scale", "Hires upscale"),
    ("hr_second_pass_steps", "Hires steps"),
    ("hr_upscaler", "Hires upscaler"),
    ("ad_model", "ADetailer model"),
    ("ad_prompt", "ADetailer prompt"),
    ("ad_negative_prompt", "ADetailer negative prompt"),
    ("ad_confidence", "ADetailer confidence"),
    ("ad_mask_blur", "ADetailer mask blur"),
    ("ad_denoising_strength", "ADetailer denoising strength"),
    ("ad_inpaint_only_masked", "ADetailer inpaint only masked"),
    ("ad_inpaint_padding", "ADetailer inpaint padding"),
)


def quote(value: Any) -> str:
    """A value as A1111 writes it: as is, or JSON-quoted when it holds `,` `:` a newline or a quote."""
    text = str(value)
    if not any(c in text for c in ',:\n"'):
        return text
    return json.dumps(text, ensure_ascii=False)


def _model_name(model: str) -> tuple[str, str | None]:
    """A1111's `Model` (file name, no folder or extension) and the hash a checkpoint title carries."""
    found = _MODEL_TITLE.match(model)
    name, digest = (found.group("name"), found.group("hash")) if found else (model, None)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    for extension in _MODEL_EXTENSIONS:
        if name.lower().endswith(extension):
            name = name[: -len(extension)]
            break
    return name, digest


def _generation_values(params: Mapping[str, Any], size: tuple[int, int] | None) -> dict[str, Any]:
    values = dict(params)
    if values.get("width") is not None and values.get("height") is not None:
        values["size"] = f"{values['width']}x{values['height']}"
    elif size is not None:
        values["size"] = f"{size[0]}x{size[1]}"
    sampler, schedule = canonical_sampler_pair(values.get("sampler_name"), values.get("scheduler"))
    values["sampler_name"], values["scheduler"] = sampler, schedule
    if values.get("model"):
        values["model"], digest = _model_name(str(values["model"]))
        values["model_hash"] = values.get("model_hash") or digest
    if values.get("enable_hr") is True:
        values["denoising_strength"] = values.get("hr_denoising_strength")
        if not values.get("hr_second_pass_steps"):
            values.pop("hr_second_pass_steps", None)
    else:
        for key in ("hr_scale", "hr_second_pass_steps", "hr_upscaler"):
            values.pop(key, None)
    if values.get("clip_skip") == 1:
        values.pop("clip_skip")  # A1111 leaves its default out
    if values.get("vae") in ("Automatic", "None"):
        values.pop("vae")
    return values


def format_infotext(
    prompt: str,
    negative_prompt: str,
    params: Mapping[str, Any],
    version: str,
    *,
    size: tuple[int, int] | None = None,
) -> str:
    """Prompt, `Negative prompt:` line, then `Key: value, ...` as A1111 writes it: canonical sampler and
    schedule type, `Size` (`width`x`height`, else the image's `size`), values exactly as recorded."""
    values = _generation_values(params, size)
    pairs = [f"{label}: {quote(values[key])}" for key, label in _LABELS if values.get(key) is not None]
    pairs.append(f"Version: {quote(version)}")
    lines = [prompt]
    if negative_prompt:
        lines.append(f"{_NEGATIVE} {negative_prompt}")
    lines.append(", ".join(pairs))
    return "\n".join(lines)


def postprocess_infotext(source: str | None, params: Mapping[str, Any]) -> tuple[str | None, str]:
    """An upscaled image's infotext, as A1111's extras write it: the source image's infotext plus the
    `Postprocess …` pairs (also returned alone, A1111's `postprocessing` text)."""
    extra = [("Postprocess upscale by", params.get("upscaling_resize")),
             ("Postprocess upscaler", params.get("upscaler"))]
    if params.get("upscaler_2") not in (None, "None"):
        extra.append(("Postprocess upscaler 2", params.get("upscaler_2")))
    text = ", ".join(f"{key}: {quote(value)}" for key, value in extra if value is not None)
    if not source:
        return None, text
    return f"{source.rstrip()}, {text}", text


@dataclass(frozen=True, slots=True)
class Infotext:
    """A parsed infotext: the prompts and the key-value pairs (unquoted text, A1111's keys)."""

    prompt: str
    negative_prompt: str
    params: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value of A1111 key `key` (e.g. "CFG scale"), or `default`."""
        return self.params.get(key, default)

    def size(self) -> tuple[int, int] | None:
        """(width, height) from `Size`, when present and well formed."""
        found = _SIZE.match(self.params.get("Size", ""))
        return (int(found.group(1)), int(found.group(2))) if found else None

    def sampler_pair(self) -> tuple[str | None, str | None]:
        """(Sampler, Schedule type) the way A1111 pastes them: an old combined name is split."""
        return canonical_sampler_pair(self.params.get("Sampler"), self.params.get("Schedule type"))


def _unquote(value: str) -> str:
    if len(value) > 1 and value[0] == '"' and value[-1] == '"':
        try:
            loaded = json.loads(value)
        except ValueError:
            return value
        return loaded if isinstance(loaded, str) else value
    return value


def parse_infotext(text: str) -> Infotext:
    """Split an infotext the way A1111's `parse_generation_parameters` does: the last line is the
    parameters when it holds at least three `Key: value` pairs; lines from `Negative prompt:` on are
    the negative prompt; quoted values (which may hold commas) are JSON-unquoted."""
    *lines, last = text.strip().split("\n")
    if len(_PARAM.findall(last)) < 3:
        lines.append(last)
        last = ""
    prompt = negative = ""
    done_with_prompt = False
    for raw in lines:
        line = raw.strip()
        if line.startswith(_NEGATIVE):
            done_with_prompt = True
            line = line[len(_NEGATIVE):].strip()
        if done_with_prompt:
            negative += ("" if negative == "" else "\n") + line
        else:
            prompt += ("" if prompt == "" else "\n") + line
    params = {key.strip(): _unquote(value.strip()) for key, value in _PARAM.findall(last)}
    return Infotext(prompt, negative, params)
