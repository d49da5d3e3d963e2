"""API-format ComfyUI graphs for tests, with the node ids of ComfyUI's own API example.

Standard txt2img node ids (as in ComfyUI's ``script_examples``)::

    "3" KSampler   "4" CheckpointLoaderSimple   "5" EmptyLatentImage
    "6" CLIPTextEncode (positive)   "7" CLIPTextEncode (negative)
    "8" VAEDecode  "9" SaveImage

img2img replaces "5" by "10" LoadImage -> "11" VAEEncode; upscaling adds "12" UpscaleModelLoader ->
"13" ImageUpscaleWithModel (and optionally "14" ImageScaleBy) between "8" and "9".
"""

from __future__ import annotations

import copy
from typing import Any

Graph = dict[str, dict[str, Any]]

KSAMPLER, CHECKPOINT, LATENT, POSITIVE, NEGATIVE, DECODE, SAVE = "3", "4", "5", "6", "7", "8", "9"
LOAD_IMAGE, ENCODE, UPSCALE_LOADER, UPSCALE, SCALE_BY = "10", "11", "12", "13", "14"


def txt2img_graph(
    *,
    ckpt: str = "sd15.safetensors",
    positive: str = "a lighthouse at dusk, oil painting",
    negative: str = "blurry, lowres",
    seed: int = 1234,
    steps: int = 4,
    cfg: float = 7.0,
    sampler: str = "euler",
    scheduler: str = "normal",
    width: int = 64,
    height: int = 64,
    batch_size: int = 1,
    denoise: float = 1.0,
    prefix: str = "StableNew",
) -> Graph:
    """The seven-node txt2img graph (small images by default so tests stay fast)."""
    return {
        KSAMPLER: {
            "class_type": "KSampler",
            "inputs": {
                "seed": seed,
                "steps": steps,
                "cfg": cfg,
                "sampler_name": sampler,
                "scheduler": scheduler,
                "denoise": denoise,
                "model": [CHECKPOINT, 0],
                "positive": [POSITIVE, 0],
                "negative": [NEGATIVE, 0],
                "latent_image": [LATENT, 0],
            },
            "_meta": {"title": "KSampler"},
        },
        CHECKPOINT: {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": ckpt}},
        LATENT: {
            "class_type": "EmptyLatentImage",
            "inputs": {"width": width, "height": height, "batch_size": batch_size},
        },
        POSITIVE: {"class_type": "CLIPTextEncode", "inputs": {"text": positive, "clip": [CHECKPOINT, 1]}},
        NEGATIVE: {"class_type": "CLIPTextEncode", "inputs": {"text": negative, "clip": [CHECKPOINT, 1]}},
        DECODE: {"class_type": "VAEDecode", "inputs": {"samples": [KSAMPLER, 0], "vae": [CHECKPOINT, 2]}},
        SAVE: {"class_type": "SaveImage", "inputs": {"filename_prefix": prefix, "images": [DECODE, 0]}},
    }


def img2img_graph(image: str, *, denoise: float = 0.6, **kwargs: Any) -> Graph:
    """txt2img with the empty latent replaced by LoadImage("10") -> VAEEncode("11")."""
    graph = txt2img_graph(denoise=denoise, **kwargs)
    del graph[LATENT]
    graph[LOAD_IMAGE] = {"class_type": "LoadImage", "inputs": {"image": image}}
    graph[ENCODE] = {"class_type": "VAEEncode", "inputs": {"pixels": [LOAD_IMAGE, 0], "vae": [CHECKPOINT, 2]}}
    graph[KSAMPLER]["inputs"]["latent_image"] = [ENCODE, 0]
    return graph


def with_model_upscale(
    graph: Graph, *, model_name: str = "RealESRGAN_x4plus.pth", scale_by: float | None = None
) -> Graph:
    """Insert UpscaleModelLoader("12") -> ImageUpscaleWithModel("13") [-> ImageScaleBy("14")] before save."""
    graph = copy.deepcopy(graph)
    graph[UPSCALE_LOADER] = {"class_type": "UpscaleModelLoader", "inputs": {"model_name": model_name}}
    graph[UPSCALE] = {
        "class_type": "ImageUpscaleWithModel",
        "inputs": {"upscale_model": [UPSCALE_LOADER, 0], "image": [DECODE, 0]},
    }
    last = UPSCALE
    if scale_by is not None:
        graph[SCALE_BY] = {
            "class_type": "ImageScaleBy",
            "inputs": {"image": [UPSCALE, 0], "upscale_method": "lanczos", "scale_by": scale_by},
        }
        last = SCALE_BY
    graph[SAVE]["inputs"]["images"] = [last, 0]
    return graph
