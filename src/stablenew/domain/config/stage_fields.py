"""The stages of a pipeline, their canonical order and the fields each accepts (A1111 names)."""

from __future__ import annotations

from dataclasses import dataclass

TXT2IMG, IMG2IMG, ADETAILER, UPSCALE = "txt2img", "img2img", "adetailer", "upscale"
STAGE_ORDER: tuple[str, ...] = (TXT2IMG, IMG2IMG, ADETAILER, UPSCALE)
NEEDS_INPUT_IMAGE = frozenset({IMG2IMG, ADETAILER, UPSCALE})
# Fields a later stage takes from the stage before it when it leaves them out.
INHERITED_FIELDS: tuple[str, ...] = (
    "model", "vae", "sampler_name", "scheduler", "steps", "cfg_scale", "seed",
)
COSTLY_FIELDS = frozenset({"model", "vae", "upscaler"})


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What one stage field accepts: a kind and, for numbers, an allowed range."""

    name: str
    kind: str  # "int" | "float" | "str" | "bool"
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False

    def describe_range(self) -> str:
        """Human text for the allowed range, e.g. ``1–150`` or ``> 0 and ≤ 8``."""
        low, high = _number(self.minimum), _number(self.maximum)
        if self.minimum is None and self.maximum is None:
            return ""
        if self.exclusive_minimum:
            return f"> {low} and ≤ {high}"
        if self.maximum is None:
            return f"≥ {low}"
        return f"{low}–{high}"


def _number(value: float | None) -> str:
    """A bound as people write it: 4294967295 (not 4.29497e+09), 0.5, 8."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _specs(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {s.name: s for s in specs}


_SAMPLING = (
    FieldSpec("model", "str"),
    FieldSpec("vae", "str"),
    FieldSpec("sampler_name", "str"),
    FieldSpec("scheduler", "str"),
    FieldSpec("steps", "int", 1, 150),
    FieldSpec("cfg_scale", "float", 1, 30),
    FieldSpec("seed", "int", -1, 2**32 - 1),
    FieldSpec("clip_skip", "int", 1, 12),
)
_SIZE = (FieldSpec("width", "int", 64, 2048), FieldSpec("height", "int", 64, 2048))
_DENOISE = FieldSpec("denoising_strength", "float", 0, 1)

# Hires fix on txt2img (A1111's names; hr_denoising_strength is the payload's denoising_strength).
_HIRES = (
    FieldSpec("enable_hr", "bool"),
    FieldSpec("hr_scale", "float", 1, 8),
    FieldSpec("hr_upscaler", "str"),
    FieldSpec("hr_second_pass_steps", "int", 0, 150),
    FieldSpec("hr_denoising_strength", "float", 0, 1),
)
HIRES_FIELDS: tuple[str, ...] = tuple(spec.name for spec in _HIRES)
# What a hires pass uses for a field left out (A1111's UI defaults; 0 steps = the first pass's steps).
HIRES_DEFAULTS: dict[str, object] = {
    "hr_scale": 2.0, "hr_upscaler": "Latent", "hr_second_pass_steps": 0, "hr_denoising_strength": 0.7,
}
# A1111's latent upscale modes for hr_upscaler (shared.latent_upscale_modes); others are upscalers.
LATENT_UPSCALERS: tuple[str, ...] = (
    "Latent", "Latent (antialiased)", "Latent (bicubic)", "Latent (bicubic antialiased)",
    "Latent (nearest)", "Latent (nearest-exact)",
)

STAGE_FIELDS: dict[str, dict[str, FieldSpec]] = {
    TXT2IMG: _specs(*_SAMPLING, *_SIZE, FieldSpec("batch_size", "int", 1, 64), *_HIRES),
    IMG2IMG: _specs(*_SAMPLING, *_SIZE, _DENOISE),
    ADETAILER: _specs(
        *_SAMPLING,
        FieldSpec("ad_model", "str"),
        FieldSpec("ad_prompt", "str"),
        FieldSpec("ad_negative_prompt", "str"),
        FieldSpec("ad_confidence", "float", 0, 1),
        FieldSpec("ad_denoising_strength", "float", 0, 1),
        FieldSpec("ad_mask_blur", "int", 0, 256),
        FieldSpec("ad_inpaint_only_masked", "bool"),
        FieldSpec("ad_inpaint_padding", "int", 0, 256),
    ),
    UPSCALE: _specs(
        FieldSpec("upscaler", "str"),
        FieldSpec("upscaling_resize", "float", 0, 8, exclusive_minimum=True),
        FieldSpec("upscaler_2", "str"),
        FieldSpec("extras_upscaler_2_visibility", "float", 0, 1),
    ),
}

STAGE_DEFAULTS: dict[str, dict[str, object]] = {
    TXT2IMG: {
        "sampler_name": "Euler a",
        "scheduler": "Automatic",
        "steps": 20,
        "cfg_scale": 7.0,
        "width": 512,
        "height": 512,
        "seed": -1,
        "batch_size": 1,
    },
    IMG2IMG: {"denoising_strength": 0.75},
    ADETAILER: {"ad_model": "face_yolov8n.pt", "ad_confidence": 0.3, "ad_denoising_strength": 0.4},
    UPSCALE: {"upscaling_resize": 2.0},
}

REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {UPSCALE: ("upscaler",)}


def field_spec(stage: str, name: str) -> FieldSpec | None:
    """The spec of `name` on `stage`, or None when the stage has no such field."""
    return STAGE_FIELDS.get(stage, {}).get(name)
