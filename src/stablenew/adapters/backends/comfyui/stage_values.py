"""What one stage sets in the graph (ComfyUI spellings) and what the record says ran (both spellings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stablenew.adapters.backends.comfyui.catalog import Catalog
from stablenew.adapters.backends.comfyui.names import resolve_file, translate_sampler, upscale_method
from stablenew.adapters.backends.comfyui.workflow import model_factor
from stablenew.domain.config.stage_fields import LATENT_UPSCALERS
from stablenew.domain.run.generation import StageRequest

SAMPLING_STAGES = ("txt2img", "img2img", "adetailer")


@dataclass
class StageValues:
    """`graph` values keyed by mapping field; `record` params for the record and PNG infotext."""

    graph: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    upscale_model: str | None = None
    upscale_method: str = "lanczos"
    scale_by: float = 2.0  # the ImageScaleBy factor: after the model's own scale, when there is one
    hires: Hires | None = None


@dataclass(frozen=True, slots=True)
class Hires:
    """A txt2img hires fix as the built-in graph does it (see workflow.txt2img_hires_graph)."""

    latent_method: str | None
    model: str | None
    scale_by: float
    steps: int
    denoise: float


# A1111's latent upscale modes → ComfyUI's LatentUpscaleBy methods (ComfyUI has no antialiasing).
LATENT_METHODS = {"latent": "bilinear", "latent (antialiased)": "bilinear", "latent (bicubic)": "bicubic",
                  "latent (bicubic antialiased)": "bicubic", "latent (nearest)": "nearest-exact",
                  "latent (nearest-exact)": "nearest-exact"}


def hires_choice(p: Mapping[str, Any], catalog: Catalog, *, source: str | None = None) -> Hires | None:
    """The hires pass a txt2img stage asks for (ConfigError for an upscaler ComfyUI lacks), or None."""
    if p.get("enable_hr") is not True:
        return None
    upscaler, scale = str(p.get("hr_upscaler") or LATENT_UPSCALERS[0]), float(p.get("hr_scale", 2.0))
    steps = int(p.get("hr_second_pass_steps") or p.get("steps", 20))
    denoise = float(p.get("hr_denoising_strength", 0.7))
    latent = LATENT_METHODS.get(upscaler.casefold())
    if latent is not None:
        return Hires(latent, None, scale, steps, denoise)
    model, _method = upscale_choice(upscaler, catalog, field="txt2img.hr_upscaler", source=source)
    return Hires(None, model, scale / model_factor(model) if model else scale, steps, denoise)


def upscale_choice(
    upscaler: str, catalog: Catalog, *, field: str, source: str | None = None
) -> tuple[str | None, str]:
    """(model file or None, resampling method) for an A1111 upscaler name."""
    method = upscale_method(upscaler)
    if method is not None:
        return None, method
    return resolve_file(
        "upscale model", upscaler, catalog.upscale_models, field=field, source=source
    ), "lanczos"


def canonical_names(stage: str, params: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    """The ComfyUI names (sampler and scheduler as a pair, checkpoint, VAE and upscale model files)
    that `params` resolve to; names must be known (check_names first)."""
    out = dict(params)
    if "sampler_name" in params or "scheduler" in params:
        pair = translate_sampler(str(params.get("sampler_name") or "Euler a"), params.get("scheduler"),
                                 samplers=catalog.samplers, schedulers=catalog.schedulers)
        out.update(sampler_name=pair.sampler, scheduler=pair.scheduler)
    for key, kind, files in (("model", "checkpoint", catalog.checkpoints), ("vae", "VAE", catalog.vaes)):
        if params.get(key):
            out[key] = resolve_file(kind, str(params[key]), files, field=key)
    for key in ("upscaler", "upscaler_2"):
        if params.get(key):
            out[key] = upscale_choice(str(params[key]), catalog, field=key)
    return out


def check_names(
    stage: str, params: Mapping[str, Any], catalog: Catalog, *, source: str | None = None
) -> None:
    """ConfigError (with close matches) for a sampler, scheduler, checkpoint or upscaler ComfyUI lacks."""
    if stage in SAMPLING_STAGES:
        translate_sampler(
            str(params.get("sampler_name") or "Euler a"),
            params.get("scheduler"),
            samplers=catalog.samplers,
            schedulers=catalog.schedulers,
            field=f"{stage}.sampler_name",
            source=source,
        )
        if params.get("model"):
            resolve_file(
                "checkpoint", str(params["model"]), catalog.checkpoints, field=f"{stage}.model", source=source
            )
        if params.get("vae"):
            resolve_file("VAE", str(params["vae"]), catalog.vaes, field=f"{stage}.vae", source=source)
        if stage == "txt2img":
            hires_choice(params, catalog, source=source)
    elif stage == "upscale" and params.get("upscaler"):
        upscale_choice(str(params["upscaler"]), catalog, field="upscale.upscaler", source=source)


def stage_values(request: StageRequest, catalog: Catalog, seed: int) -> StageValues:
    """Translate a request's A1111-named params into graph values and record params."""
    p, out = request.params, StageValues()
    if request.stage == "upscale":
        resize = float(p.get("upscaling_resize", 2.0))
        out.upscale_model, out.upscale_method = upscale_choice(
            str(p.get("upscaler") or "Lanczos"), catalog, field="upscale.upscaler"
        )
        out.scale_by = resize / model_factor(out.upscale_model) if out.upscale_model else resize
        out.graph.update(
            upscale_model=out.upscale_model,
            upscale_method=out.upscale_method,
            scale_by=round(out.scale_by, 4),
        )
        out.graph = {k: v for k, v in out.graph.items() if v is not None}
        out.record.update(
            upscaler=p.get("upscaler"),
            upscaling_resize=resize,
            comfyui_upscale_model=out.upscale_model,
            comfyui_upscale_method=out.upscale_method,
        )
        return out
    names = translate_sampler(
        str(p.get("sampler_name") or "Euler a"),
        p.get("scheduler"),
        samplers=catalog.samplers,
        schedulers=catalog.schedulers,
        field=f"{request.stage}.sampler_name",
    )
    adetailer = request.stage == "adetailer"
    denoise = (
        float(p.get("ad_denoising_strength" if adetailer else "denoising_strength", 1.0))
        if request.stage != "txt2img"
        else 1.0
    )
    out.graph.update(
        seed=seed,
        steps=int(p.get("steps", 20)),
        cfg=float(p.get("cfg_scale", 7.0)),
        sampler_name=names.sampler,
        scheduler=names.scheduler,
        denoise=denoise,
        positive=(p.get("ad_prompt") if adetailer else None) or request.prompt,
        negative=(p.get("ad_negative_prompt") if adetailer else None) or request.negative_prompt,
    )
    if request.stage == "txt2img":
        out.graph.update(
            width=int(p.get("width", 512)),
            height=int(p.get("height", 512)),
            batch_size=int(p.get("batch_size", 1)),
        )
        out.hires = hires_choice(p, catalog)
        if out.hires is not None:
            out.record.update(comfyui_hr_upscale_method=out.hires.latent_method,
                              comfyui_hr_upscale_model=out.hires.model)
    if adetailer and p.get("ad_confidence") is not None:
        out.graph["bbox_threshold"] = float(p["ad_confidence"])
    if p.get("model"):
        out.graph["ckpt_name"] = resolve_file(
            "checkpoint", str(p["model"]), catalog.checkpoints, field=f"{request.stage}.model"
        )
    if p.get("vae"):
        out.graph["vae_name"] = resolve_file("VAE", str(p["vae"]), catalog.vaes, field=f"{request.stage}.vae")
    out.record.update(
        seed=seed,
        sampler_name=p.get("sampler_name") or "Euler a",
        scheduler=p.get("scheduler") or "Automatic",
        comfyui_sampler_name=names.sampler,
        comfyui_scheduler=names.scheduler,
        steps=out.graph["steps"],
        cfg_scale=out.graph["cfg"],
    )
    if request.stage != "txt2img":
        out.record["denoising_strength" if not adetailer else "ad_denoising_strength"] = denoise
    return out
