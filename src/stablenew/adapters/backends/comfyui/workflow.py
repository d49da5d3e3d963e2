"""Built-in API-format graphs (txt2img, img2img, upscale) with the node ids of ComfyUI's own example."""

from __future__ import annotations

import re
from typing import Any

Graph = dict[str, dict[str, Any]]
KSAMPLER, CHECKPOINT, LATENT, POSITIVE, NEGATIVE, DECODE, SAVE = "3", "4", "5", "6", "7", "8", "9"
LOAD_IMAGE, ENCODE, UPSCALE_LOADER, UPSCALE, SCALE_BY = "10", "11", "12", "13", "14"


def _node(class_type: str, title: str, **inputs: Any) -> dict[str, Any]:
    return {"class_type": class_type, "inputs": inputs, "_meta": {"title": title}}


def txt2img_graph() -> Graph:
    """The standard seven-node txt2img graph (values are placeholders the mapping overwrites)."""
    return {
        KSAMPLER: _node(
            "KSampler",
            "KSampler",
            seed=0,
            steps=20,
            cfg=7.0,
            sampler_name="euler",
            scheduler="normal",
            denoise=1.0,
            model=[CHECKPOINT, 0],
            positive=[POSITIVE, 0],
            negative=[NEGATIVE, 0],
            latent_image=[LATENT, 0],
        ),
        CHECKPOINT: _node("CheckpointLoaderSimple", "Load Checkpoint", ckpt_name="model.safetensors"),
        LATENT: _node("EmptyLatentImage", "Empty Latent Image", width=512, height=512, batch_size=1),
        POSITIVE: _node("CLIPTextEncode", "Positive prompt", text="", clip=[CHECKPOINT, 1]),
        NEGATIVE: _node("CLIPTextEncode", "Negative prompt", text="", clip=[CHECKPOINT, 1]),
        DECODE: _node("VAEDecode", "VAE Decode", samples=[KSAMPLER, 0], vae=[CHECKPOINT, 2]),
        SAVE: _node("SaveImage", "Save Image", filename_prefix="stablenew", images=[DECODE, 0]),
    }


def img2img_graph() -> Graph:
    """txt2img with the empty latent replaced by LoadImage → VAEEncode; denoise < 1 keeps the input."""
    graph = txt2img_graph()
    del graph[LATENT]
    graph[LOAD_IMAGE] = _node("LoadImage", "Load Image", image="input.png")
    graph[ENCODE] = _node("VAEEncode", "VAE Encode", pixels=[LOAD_IMAGE, 0], vae=[CHECKPOINT, 2])
    graph[KSAMPLER]["inputs"]["latent_image"] = [ENCODE, 0]
    return graph


def model_factor(model_name: str) -> int:
    """The scale an upscale model applies, read from its name as people name them (x4, 4x); 4 if none."""
    match = re.search(r"(?:x(\d)|(\d)x)", model_name.lower())
    return int(match.group(1) or match.group(2)) if match else 4


def upscale_graph(*, model: str | None, method: str, scale_by: float) -> Graph:
    """LoadImage → [UpscaleModelLoader + ImageUpscaleWithModel →] ImageScaleBy → SaveImage.

    `scale_by` is the ImageScaleBy factor applied after the model (already divided by the model's
    own scale); with a model and a factor of 1 the ImageScaleBy node is left out.
    """
    graph: Graph = {LOAD_IMAGE: _node("LoadImage", "Load Image", image="input.png")}
    last = LOAD_IMAGE
    if model is not None:
        graph[UPSCALE_LOADER] = _node("UpscaleModelLoader", "Load Upscale Model", model_name=model)
        graph[UPSCALE] = _node(
            "ImageUpscaleWithModel",
            "Upscale Image (using Model)",
            upscale_model=[UPSCALE_LOADER, 0],
            image=[LOAD_IMAGE, 0],
        )
        last = UPSCALE
    if model is None or abs(scale_by - 1.0) > 1e-6:
        graph[SCALE_BY] = _node(
            "ImageScaleBy",
            "Upscale Image By",
            image=[last, 0],
            upscale_method=method,
            scale_by=round(scale_by, 4),
        )
        last = SCALE_BY
    graph[SAVE] = _node("SaveImage", "Save Image", filename_prefix="stablenew", images=[last, 0])
    return graph


HIRES_LATENT, HIRES_SAMPLER, HIRES_DECODE, HIRES_ENCODE = "15", "16", "17", "18"


def txt2img_hires_graph(
    *, latent_method: str | None, model: str | None, scale_by: float, steps: int, denoise: float
) -> Graph:
    """txt2img + A1111's hires fix: the first pass upscaled (in latent space with `latent_method`,
    else decoded, upscaled by `model` and/or resampled by `scale_by`, encoded again), then a second
    KSampler pass of `steps` at `denoise` sharing the first pass's seed, cfg, sampler and scheduler."""
    graph = txt2img_graph()
    first = graph[KSAMPLER]["inputs"]
    if latent_method is not None:
        graph[HIRES_LATENT] = _node("LatentUpscaleBy", "Hires upscale (latent)", samples=[KSAMPLER, 0],
                                    upscale_method=latent_method, scale_by=round(scale_by, 4))
        latent = HIRES_LATENT
    else:
        graph[HIRES_DECODE] = _node("VAEDecode", "Hires decode", samples=[KSAMPLER, 0], vae=[CHECKPOINT, 2])
        pixels = upscale_graph(model=model, method="lanczos", scale_by=scale_by)
        del pixels[LOAD_IMAGE], pixels[SAVE]
        for node in pixels.values():
            if node["inputs"].get("image") == [LOAD_IMAGE, 0]:
                node["inputs"]["image"] = [HIRES_DECODE, 0]
        graph.update(pixels)
        last = SCALE_BY if SCALE_BY in pixels else UPSCALE
        graph[HIRES_ENCODE] = _node("VAEEncode", "Hires encode", pixels=[last, 0], vae=[CHECKPOINT, 2])
        latent = HIRES_ENCODE
    graph[HIRES_SAMPLER] = _node("KSampler", "Hires pass", **{**first, "steps": steps, "denoise": denoise,
                                                              "latent_image": [latent, 0]})
    graph[DECODE]["inputs"]["samples"] = [HIRES_SAMPLER, 0]
    return graph


# Both samplers of the hires graph get the run's seed, cfg, sampler and scheduler; the rest maps as usual.
HIRES_MAPPING: dict[str, list[str] | str] = {
    **{field: [f"{KSAMPLER}.{field}", f"{HIRES_SAMPLER}.{field}"]
       for field in ("seed", "cfg", "sampler_name", "scheduler")},
    "steps": f"{KSAMPLER}.steps", "denoise": f"{KSAMPLER}.denoise", "ckpt_name": f"{CHECKPOINT}.ckpt_name",
    "positive": f"{POSITIVE}.text", "negative": f"{NEGATIVE}.text",
    **{field: f"{LATENT}.{field}" for field in ("width", "height", "batch_size")},
}
