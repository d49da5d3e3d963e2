"""What the fake ComfyUI has "installed": node definitions in the real ``/object_info`` shape.

Each node class is described the way ComfyUI's ``node_info()`` reports it::

    {"input": {"required": {name: [type_or_combo_list, {options}]}, "optional": ..., "hidden": ...},
     "input_order": {"required": [names...], ...},
     "output": [types...], "output_is_list": [bools...], "output_name": [names...],
     "name", "display_name", "description", "python_module", "category", "output_node"}

A combo (drop-down) input has a *list of choices* in the type slot, e.g.
``"sampler_name": [["euler", "dpmpp_2m", ...], {"tooltip": ...}]``; scalar inputs carry
``default``/``min``/``max``/``step`` options that ``POST /prompt`` validation enforces.
Only the classes StableNew drives are described, with the option values of ComfyUI 0.3.x.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

COMFYUI_VERSION = "0.3.40"
FRONTEND_VERSION = "1.21.7"
PYTORCH_VERSION = "2.7.1+cu128"
MAX_RESOLUTION = 16384
MAX_SEED = 0xFFFFFFFFFFFFFFFF

DEFAULT_CHECKPOINTS = ("sd15.safetensors", "sdxl_base.safetensors")
# Real names from comfy.samplers.KSampler.SAMPLERS (kept under 20 so that "value not in list"
# errors spell the list out; ComfyUI abbreviates lists longer than 20 to "(list of length N)").
DEFAULT_SAMPLERS = (
    "euler",
    "euler_ancestral",
    "heun",
    "heunpp2",
    "dpm_2",
    "dpm_2_ancestral",
    "lms",
    "dpm_fast",
    "dpm_adaptive",
    "dpmpp_2s_ancestral",
    "dpmpp_sde",
    "dpmpp_2m",
    "dpmpp_2m_sde",
    "dpmpp_3m_sde",
    "ddpm",
    "lcm",
    "ddim",
    "uni_pc",
    "uni_pc_bh2",
)
DEFAULT_SCHEDULERS = ("normal", "karras", "exponential", "sgm_uniform", "simple", "ddim_uniform", "beta")
DEFAULT_UPSCALE_MODELS = ("RealESRGAN_x4plus.pth",)
DEFAULT_VAES = ("vae-ft-mse-840000-ema-pruned.safetensors", "sdxl_vae.safetensors")
DEFAULT_LORAS = ("add_detail.safetensors",)
UPSCALE_METHODS = ("nearest-exact", "bilinear", "area", "bicubic", "lanczos")
LATENT_UPSCALE_METHODS = ("nearest-exact", "bilinear", "area", "bicubic", "bislerp")


def _int(default: int, lo: int, hi: int, step: int | None = None, **extra: Any) -> list[Any]:
    opts: dict[str, Any] = {"default": default, "min": lo, "max": hi}
    if step is not None:
        opts["step"] = step
    opts.update(extra)
    return ["INT", opts]


def _float(default: float, lo: float, hi: float, step: float, **extra: Any) -> list[Any]:
    return ["FLOAT", {"default": default, "min": lo, "max": hi, "step": step, **extra}]


def _combo(choices: Iterable[str], **extra: Any) -> list[Any]:
    return [list(choices), dict(extra)]


def _v3_combo(choices: Iterable[str], **extra: Any) -> list[Any]:
    """The newer /object_info combo shape: ["COMBO", {"multiselect": false, "options": [...]}]."""
    return ["COMBO", {"multiselect": False, "options": list(choices), **extra}]


def _link(type_name: str, **extra: Any) -> list[Any]:
    return [type_name, dict(extra)] if extra else [type_name]


def _node(
    name: str,
    *,
    display_name: str,
    category: str,
    required: dict[str, list[Any]],
    output: Sequence[str],
    output_name: Sequence[str] | None = None,
    optional: dict[str, list[Any]] | None = None,
    hidden: dict[str, str] | None = None,
    output_node: bool = False,
    description: str = "",
    python_module: str = "nodes",
) -> dict[str, Any]:
    inputs: dict[str, Any] = {"required": required}
    order: dict[str, list[str]] = {"required": list(required)}
    if optional:
        inputs["optional"] = optional
        order["optional"] = list(optional)
    if hidden:
        inputs["hidden"] = hidden
        order["hidden"] = list(hidden)
    return {
        "input": inputs,
        "input_order": order,
        "output": list(output),
        "output_is_list": [False] * len(output),
        "output_name": list(output_name or output),
        "name": name,
        "display_name": display_name,
        "description": description,
        "python_module": python_module,
        "category": category,
        "output_node": output_node,
    }


def build_object_info(
    *,
    checkpoints: Sequence[str],
    samplers: Sequence[str],
    schedulers: Sequence[str],
    upscale_models: Sequence[str],
    vaes: Sequence[str],
    loras: Sequence[str],
    input_images: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """The full ``GET /object_info`` document for the given installed files."""
    nodes = [
        _node(
            "CheckpointLoaderSimple",
            display_name="Load Checkpoint",
            category="loaders",
            description="Loads a diffusion model checkpoint.",
            required={
                "ckpt_name": _combo(checkpoints, tooltip="The name of the checkpoint (model) to load.")
            },
            output=("MODEL", "CLIP", "VAE"),
        ),
        _node(
            "LoraLoader",
            display_name="Load LoRA",
            category="loaders",
            required={
                "model": _link("MODEL"),
                "clip": _link("CLIP"),
                "lora_name": _combo(loras),
                "strength_model": _float(1.0, -100.0, 100.0, 0.01),
                "strength_clip": _float(1.0, -100.0, 100.0, 0.01),
            },
            output=("MODEL", "CLIP"),
        ),
        _node(
            "VAELoader",
            display_name="Load VAE",
            category="loaders",
            required={"vae_name": _combo(vaes)},
            output=("VAE",),
        ),
        _node(
            "UpscaleModelLoader",
            display_name="Load Upscale Model",
            category="loaders",
            required={"model_name": _v3_combo(upscale_models)},  # ComfyUI 0.3.64 (recorded)
            output=("UPSCALE_MODEL",),
            python_module="comfy_extras.nodes_upscale_model",
        ),
        _node(
            "CLIPTextEncode",
            display_name="CLIP Text Encode (Prompt)",
            category="conditioning",
            description="Encodes a text prompt using a CLIP model.",
            required={
                "text": ["STRING", {"multiline": True, "dynamicPrompts": True}],
                "clip": _link("CLIP"),
            },
            output=("CONDITIONING",),
        ),
        _node(
            "EmptyLatentImage",
            display_name="Empty Latent Image",
            category="latent",
            description="Create a new batch of empty latent images to be denoised via sampling.",
            required={
                "width": _int(512, 16, MAX_RESOLUTION, 8),
                "height": _int(512, 16, MAX_RESOLUTION, 8),
                "batch_size": _int(1, 1, 4096),
            },
            output=("LATENT",),
        ),
        _node(
            "KSampler",
            display_name="KSampler",
            category="sampling",
            description="Uses the provided model, positive and negative conditioning to denoise the "
            "latent image.",
            required={
                "model": _link("MODEL"),
                "seed": _int(0, 0, MAX_SEED, control_after_generate=True),
                "steps": _int(20, 1, 10000),
                "cfg": _float(8.0, 0.0, 100.0, 0.1, round=0.01),
                "sampler_name": _combo(samplers),
                "scheduler": _combo(schedulers),
                "positive": _link("CONDITIONING"),
                "negative": _link("CONDITIONING"),
                "latent_image": _link("LATENT"),
                "denoise": _float(1.0, 0.0, 1.0, 0.01),
            },
            output=("LATENT",),
        ),
        _node(
            "LatentUpscaleBy",
            display_name="Upscale Latent By",
            category="latent",
            required={
                "samples": _link("LATENT"),
                "upscale_method": _combo(LATENT_UPSCALE_METHODS),
                "scale_by": _float(1.5, 0.01, 8.0, 0.01),
            },
            output=("LATENT",),
        ),
        _node(
            "VAEDecode",
            display_name="VAE Decode",
            category="latent",
            required={"samples": _link("LATENT"), "vae": _link("VAE")},
            output=("IMAGE",),
        ),
        _node(
            "VAEEncode",
            display_name="VAE Encode",
            category="latent",
            required={"pixels": _link("IMAGE"), "vae": _link("VAE")},
            output=("LATENT",),
        ),
        _node(
            "LoadImage",
            display_name="Load Image",
            category="image",
            required={"image": _combo(sorted(input_images), image_upload=True)},
            output=("IMAGE", "MASK"),
        ),
        _node(
            "ImageUpscaleWithModel",
            display_name="Upscale Image (using Model)",
            category="image/upscaling",
            required={"upscale_model": _link("UPSCALE_MODEL"), "image": _link("IMAGE")},
            output=("IMAGE",),
            python_module="comfy_extras.nodes_upscale_model",
        ),
        _node(
            "ImageScaleBy",
            display_name="Upscale Image By",
            category="image/upscaling",
            required={
                "image": _link("IMAGE"),
                "upscale_method": _combo(UPSCALE_METHODS),
                "scale_by": _float(1.0, 0.01, 8.0, 0.01),
            },
            output=("IMAGE",),
        ),
        _node(
            "SaveImage",
            display_name="Save Image",
            category="image",
            description="Saves the input images to your ComfyUI output directory.",
            required={
                "images": _link("IMAGE", tooltip="The images to save."),
                "filename_prefix": [
                    "STRING",
                    {"default": "ComfyUI", "tooltip": "The prefix for the file to save."},
                ],
            },
            hidden={"prompt": "PROMPT", "extra_pnginfo": "EXTRA_PNGINFO"},
            output=(),
            output_node=True,
        ),
    ]
    return {n["name"]: n for n in nodes}


def upscale_factor(model_name: str) -> int:
    """The scale an upscale model applies, read from its name the way people name them (x4, 2x)."""
    match = re.search(r"(?:x(\d)|(\d)x)", model_name.lower())
    if match:
        return int(match.group(1) or match.group(2))
    return 4


def system_stats(python_version: str) -> dict[str, Any]:
    """``GET /system_stats`` for a machine with one 24 GiB CUDA card."""
    return {
        "system": {
            "os": "posix",
            "ram_total": 68719476736,
            "ram_free": 51539607552,
            "comfyui_version": COMFYUI_VERSION,
            "required_frontend_version": FRONTEND_VERSION,
            "python_version": python_version,
            "pytorch_version": PYTORCH_VERSION,
            "embedded_python": False,
            "argv": ["main.py", "--listen", "127.0.0.1"],
        },
        "devices": [
            {
                "name": "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync",
                "type": "cuda",
                "index": 0,
                "vram_total": 25393692672,
                "vram_free": 23919214592,
                "torch_vram_total": 0,
                "torch_vram_free": 0,
            }
        ],
    }
