"""A1111 sampler, scheduler and upscaler names translated to ComfyUI's, checked against /object_info."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stablenew.domain.config.name_matching import LISTED, close_matches
from stablenew.domain.errors import ConfigError

# A1111 sampler label (and its k_* alias) → ComfyUI KSampler sampler_name.
SAMPLERS: dict[str, str] = {
    "euler a": "euler_ancestral",
    "k_euler_a": "euler_ancestral",
    "euler": "euler",
    "k_euler": "euler",
    "lms": "lms",
    "k_lms": "lms",
    "heun": "heun",
    "k_heun": "heun",
    "dpm2": "dpm_2",
    "k_dpm_2": "dpm_2",
    "dpm2 a": "dpm_2_ancestral",
    "k_dpm_2_a": "dpm_2_ancestral",
    "dpm++ 2s a": "dpmpp_2s_ancestral",
    "k_dpmpp_2s_a": "dpmpp_2s_ancestral",
    "dpm++ 2m": "dpmpp_2m",
    "k_dpmpp_2m": "dpmpp_2m",
    "dpm++ sde": "dpmpp_sde",
    "k_dpmpp_sde": "dpmpp_sde",
    "dpm++ 2m sde": "dpmpp_2m_sde",
    "k_dpmpp_2m_sde": "dpmpp_2m_sde",
    "dpm++ 3m sde": "dpmpp_3m_sde",
    "k_dpmpp_3m_sde": "dpmpp_3m_sde",
    "dpm fast": "dpm_fast",
    "k_dpm_fast": "dpm_fast",
    "dpm adaptive": "dpm_adaptive",
    "k_dpm_ad": "dpm_adaptive",
    "lcm": "lcm",
    "ddim": "ddim",
    "ddpm": "ddpm",
    "unipc": "uni_pc",
    "euler cfg++": "euler_cfg_pp",
    "euler a cfg++": "euler_ancestral_cfg_pp",
}
# A1111 scheduler label or name → ComfyUI KSampler scheduler.
SCHEDULERS: dict[str, str] = {
    "uniform": "normal",
    "normal": "normal",
    "karras": "karras",
    "exponential": "exponential",
    "sgm uniform": "sgm_uniform",
    "sgm_uniform": "sgm_uniform",
    "simple": "simple",
    "ddim": "ddim_uniform",
    "beta": "beta",
    "kl optimal": "kl_optimal",
    "kl_optimal": "kl_optimal",
    "linear quadratic": "linear_quadratic",
}
# What A1111's "Automatic" scheduler means for a sampler (its own default); "normal" otherwise.
AUTOMATIC = {
    "dpmpp_2m": "karras",
    "dpmpp_sde": "karras",
    "dpmpp_2s_ancestral": "karras",
    "dpm_2": "karras",
    "dpm_2_ancestral": "karras",
    "dpmpp_2m_sde": "exponential",
    "dpmpp_3m_sde": "exponential",
}
# A1111 upscalers that are plain resampling methods → ComfyUI ImageScaleBy upscale_method.
METHODS = {
    "none": "lanczos",
    "lanczos": "lanczos",
    "nearest": "nearest-exact",
    "nearest-exact": "nearest-exact",
    "bilinear": "bilinear",
    "bicubic": "bicubic",
    "area": "area",
}
# A1111 model upscaler labels → the file names ComfyUI users usually have in models/upscale_models.
UPSCALE_MODELS = {
    "r-esrgan 4x+": "RealESRGAN_x4plus",
    "r-esrgan 4x+ anime6b": "RealESRGAN_x4plus_anime_6B",
    "r-esrgan 2x+": "RealESRGAN_x2plus",
    "esrgan_4x": "ESRGAN_4x",
    "swinir 4x": "SwinIR_4x",
    "ldsr": "LDSR",
}
_SUFFIXES = {" karras": "karras", " exponential": "exponential"}


@dataclass(frozen=True, slots=True)
class Translation:
    """What a ComfyUI KSampler gets for one A1111 sampler + scheduler pair."""

    sampler: str
    scheduler: str


def _spellings(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """ComfyUI name → the A1111 spellings that mean it (for close matches)."""
    out: dict[str, tuple[str, ...]] = {}
    for a1111, comfy in table.items():
        out[comfy] = (*out.get(comfy, ()), a1111)
    return out


_ALIASES = {"sampler": _spellings(SAMPLERS), "scheduler": _spellings(SCHEDULERS)}


def _file_aliases(available: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """A file's stem, and the A1111 upscaler label of a known upscale model, as its other spellings."""
    labels = _spellings(UPSCALE_MODELS)
    return {a: (_stem(a), *labels.get(a.rsplit(".", 1)[0], ())) for a in available}


def _unknown(kind: str, name: str, available: Sequence[str], field: str, source: str | None) -> ConfigError:
    """The shared rule (domain.name_matching): up to 4 close matches, else up to 12 of ComfyUI's names."""
    aliases = _ALIASES.get(kind) or _file_aliases(available)
    close = close_matches(name, available, aliases=aliases)
    if close:
        detail = f"; did you mean {', '.join(repr(m) for m in close)}?"
    else:
        more = f", ... ({len(available)} in all)" if len(available) > LISTED else ""
        detail = f" (ComfyUI lists: {', '.join(available[:LISTED]) + more or '(none)'})"
    return ConfigError(
        f"{kind} {name!r} is not available on this ComfyUI{detail}", source=source, field=field
    )


def translate_sampler(
    sampler: str,
    scheduler: str | None,
    *,
    samplers: Sequence[str],
    schedulers: Sequence[str],
    field: str = "sampler_name",
    source: str | None = None,
) -> Translation:
    """ComfyUI sampler_name/scheduler for A1111 (or ComfyUI) names; ConfigError names close matches."""
    name, implied = sampler.strip(), None
    for suffix, sched in _SUFFIXES.items():  # old A1111 labels such as "DPM++ 2M Karras"
        if name.lower().endswith(suffix) and name.lower()[: -len(suffix)] in SAMPLERS:
            name, implied = name[: -len(suffix)], sched
    comfy_sampler = name if name in samplers else SAMPLERS.get(name.lower())
    if comfy_sampler is None or comfy_sampler not in samplers:
        raise _unknown("sampler", sampler, samplers, field, source)
    prefix = field.rsplit(".", 1)[0] + "." if "." in field else ""
    wanted = (scheduler or "automatic").strip()
    comfy_scheduler: str | None
    if wanted.lower() == "automatic":
        comfy_scheduler = implied or AUTOMATIC.get(comfy_sampler, "normal")
    else:
        comfy_scheduler = wanted if wanted in schedulers else SCHEDULERS.get(wanted.lower())
    if comfy_scheduler is None or comfy_scheduler not in schedulers:
        raise _unknown("scheduler", wanted, schedulers, f"{prefix}scheduler", source)
    return Translation(comfy_sampler, comfy_scheduler)


def _stem(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0].lower() if "." in base else base.lower()


def resolve_file(
    kind: str, name: str, available: Sequence[str], *, field: str, source: str | None = None
) -> str:
    """The ComfyUI file for a checkpoint/model name: exact, A1111 title ("x.safetensors [hash]"), or stem."""
    if name in available:
        return name
    bare = name.split(" [", 1)[0].strip()
    for candidate in (bare, UPSCALE_MODELS.get(bare.lower(), bare)):
        if candidate in available:
            return candidate
        found = [
            a
            for a in available
            if _stem(a) == _stem(candidate) or a.replace("\\", "/").endswith("/" + candidate)
        ]
        if found:
            return found[0]
    raise _unknown(kind, name, available, field, source)


def upscale_method(name: str) -> str | None:
    """The ComfyUI resampling method for a plain A1111 upscaler (Lanczos, Nearest, None), else None."""
    return METHODS.get(name.strip().lower())
