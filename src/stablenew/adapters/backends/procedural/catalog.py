"""The names the procedural backend accepts: A1111's standard samplers, schedulers and upscalers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stablenew.domain.config.a1111_names import SAMPLERS as A1111_SAMPLERS
from stablenew.domain.config.a1111_names import SCHEDULERS as A1111_SCHEDULERS
from stablenew.domain.config.name_matching import NameChoice, NameSet, split_legacy_sampler
from stablenew.domain.config.pipeline import PipelineConfig, StageConfig, effective_stages
from stablenew.domain.config.stage_fields import LATENT_UPSCALERS
from stablenew.domain.errors import ConfigError

OFFERED_BY = "the procedural backend"
MODELS = ("procedural-v1",)  # no checkpoints: any model or VAE name is accepted (it only seeds the palette)

# A1111 1.10's standard samplers and schedulers, offered by this backend.
SAMPLERS = NameSet("sampler", A1111_SAMPLERS.choices, OFFERED_BY)
SCHEDULERS = NameSet("scheduler", A1111_SCHEDULERS.choices, OFFERED_BY)

# A1111's built-in upscalers, plus a widely installed ESRGAN model.
UPSCALERS = NameSet("upscaler", tuple(NameChoice(name) for name in (
    "None", "Lanczos", "Nearest", "DAT x2", "DAT x3", "DAT x4", "ESRGAN_4x", "LDSR",
    "R-ESRGAN 4x+", "R-ESRGAN 4x+ Anime6B", "R-ESRGAN 2x+", "ScuNET GAN", "ScuNET PSNR", "SwinIR 4x",
    "4x-UltraSharp",
)), OFFERED_BY)

# hires fix: A1111's latent upscale modes, then the upscalers.
HR_UPSCALERS = NameSet(
    "hires upscaler", tuple(NameChoice(name) for name in LATENT_UPSCALERS) + UPSCALERS.choices, OFFERED_BY
)

_FIELDS = {
    "scheduler": SCHEDULERS, "upscaler": UPSCALERS, "upscaler_2": UPSCALERS, "hr_upscaler": HR_UPSCALERS,
}


def check_stage(stage: StageConfig) -> None:
    """ConfigError (field `stage.<name>`) for an unknown sampler, scheduler or upscaler; models pass."""
    for key, value in stage.params.items():
        if not isinstance(value, str) or value == "":
            continue
        if key == "sampler_name":
            if SAMPLERS.resolve(value) is None and split_legacy_sampler(value, SAMPLERS, SCHEDULERS) is None:
                raise ConfigError(SAMPLERS.unknown(value), field=f"{stage.stage}.{key}")
        elif key in _FIELDS and _FIELDS[key].resolve(value) is None:
            raise ConfigError(_FIELDS[key].unknown(value), field=f"{stage.stage}.{key}")


def canonical(params: Mapping[str, Any]) -> dict[str, str]:
    """The canonical names of the sampler (a combined "DPM++ 2M Karras" split in two), scheduler and
    upscalers in `params`; names this catalog does not know are left out."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if not isinstance(value, str) or value == "":
            continue
        if key == "sampler_name":
            found = SAMPLERS.resolve(value)
            split = split_legacy_sampler(value, SAMPLERS, SCHEDULERS) if found is None else None
            out.update({"sampler_name": found} if found else
                       {"sampler_name": split[0], "scheduler": split[1]} if split else {})
        elif key in _FIELDS:
            resolved = _FIELDS[key].resolve(value)
            if resolved is not None:
                out[key] = resolved
    return out


def validate_configs(configs: Iterable[PipelineConfig], *, source: str | None) -> None:
    """ConfigError naming `source`, the field path and close matches for the first unknown name."""
    for config in configs:
        for stage in effective_stages(config):
            try:
                check_stage(stage)
            except ConfigError as exc:
                raise ConfigError(exc.message, source=source, field=exc.field) from None
