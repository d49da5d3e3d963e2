"""A1111-style `parameters` infotext, readable by A1111's own PNG Info tab."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    ("ad_model", "ADetailer model"),
    ("ad_confidence", "ADetailer confidence"),
    ("ad_denoising_strength", "ADetailer denoising strength"),
    ("upscaler", "Postprocess upscaler"),
    ("upscaling_resize", "Postprocess upscale by"),
)


def _quote(value: Any) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f'"{text}"' if any(c in text for c in ',:"\n') else text


def format_infotext(prompt: str, negative_prompt: str, params: Mapping[str, Any], version: str) -> str:
    """Prompt line, `Negative prompt:` line, then `Key: value, ...` as A1111 writes it."""
    values = dict(params)
    if "width" in values and "height" in values:
        values["size"] = f"{values['width']}x{values['height']}"
    pairs = [f"{label}: {_quote(values[key])}" for key, label in _LABELS if values.get(key) is not None]
    pairs.append(f"Version: {_quote(version)}")
    lines = [prompt]
    if negative_prompt:
        lines.append(f"Negative prompt: {negative_prompt}")
    lines.append(", ".join(pairs))
    return "\n".join(lines)
