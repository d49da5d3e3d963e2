"""What one stage sets in the graph (ComfyUI spellings) and what the record says ran (both spellings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stablenew.adapters.backends.comfyui.catalog import Catalog
from stablenew.adapters.backends.comfyui.names import resolve_file, translate_sampler, upscale_method
from stablenew.adapters.backends.comfyui.workflow import model_factor
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
