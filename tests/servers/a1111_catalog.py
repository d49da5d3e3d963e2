"""What the fake AUTOMATIC1111 WebUI has "installed", and how A1111 resolves names against it.

The shapes mirror the real ``--api`` responses of stable-diffusion-webui v1.10:

* ``/sdapi/v1/sd-models``  -> ``{title, model_name, hash, sha256, filename, config}``
  (``hash`` is the 10-character short hash, the first 10 hex digits of ``sha256``;
  ``title`` is ``"<name> [<hash>]"``).
* ``/sdapi/v1/samplers``   -> ``{name, aliases, options}``; the first entry is A1111's default.
* ``/sdapi/v1/schedulers`` -> ``{name, label, aliases, default_rho, need_inner_model}``.
* ``/sdapi/v1/upscalers``  -> ``{name, model_name, model_path, model_url, scale}``.
* ``/sdapi/v1/sd-vae``     -> ``{model_name, filename}``.

Name resolution follows A1111 rather than being strict: an unknown sampler becomes the default
sampler, an unknown scheduler becomes "Automatic", a legacy combined sampler name such as
``"DPM++ 2M Karras"`` is split into sampler + scheduler, and a checkpoint may be named by its
title, file name, path, model name, short hash or sha256.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

WEBUI_VERSION = "v1.10.1"
LEGACY_WEBUI_VERSION = "v1.8.0"  # the last release without /sdapi/v1/schedulers
ADETAILER_VERSION = "24.11.1"

MODELS_DIR = "/models/Stable-diffusion"
VAE_DIR = "/models/VAE"


def model_entry(filename: str, sha256: str, *, config: str | None = None) -> dict[str, Any]:
    """One ``/sdapi/v1/sd-models`` row for a checkpoint file (a bare name goes under MODELS_DIR)."""
    path = filename if filename.startswith("/") else f"{MODELS_DIR}/{filename}"
    name = posixpath.basename(path)
    short = sha256[:10]
    return {
        "title": f"{name} [{short}]",
        "model_name": posixpath.splitext(name)[0],
        "hash": short,
        "sha256": sha256,
        "filename": path,
        "config": config,
    }


DEFAULT_MODELS: tuple[dict[str, Any], ...] = (
    model_entry("sd15.safetensors", "6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa"),
    model_entry("sdxl_base.safetensors", "31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b"),
)

# Order matters: A1111 falls back to the first sampler when a request names an unknown one.
DEFAULT_SAMPLERS: tuple[dict[str, Any], ...] = (
    {"name": "DPM++ 2M", "aliases": ["k_dpmpp_2m"], "options": {"scheduler": "karras"}},
    {
        "name": "DPM++ SDE",
        "aliases": ["k_dpmpp_sde"],
        "options": {"scheduler": "karras", "second_order": True, "brownian_noise": True},
    },
    {
        "name": "DPM++ 2M SDE",
        "aliases": ["k_dpmpp_2m_sde"],
        "options": {"scheduler": "exponential", "brownian_noise": True},
    },
    {"name": "Euler a", "aliases": ["k_euler_a", "k_euler_ancestral"], "options": {"uses_ensd": True}},
    {"name": "Euler", "aliases": ["k_euler"], "options": {}},
    {"name": "LMS", "aliases": ["k_lms"], "options": {}},
    {"name": "Heun", "aliases": ["k_heun"], "options": {"second_order": True}},
    {"name": "DDIM", "aliases": ["ddim"], "options": {"default_eta_is_0": True, "uses_ensd": True}},
)


def _scheduler(name: str, label: str, *, aliases: list[str] | None = None, rho: float = -1,
               inner: bool = False) -> dict[str, Any]:
    return {"name": name, "label": label, "aliases": aliases, "default_rho": rho, "need_inner_model": inner}


# The first entry is "Automatic": what unknown schedulers resolve to.
DEFAULT_SCHEDULERS: tuple[dict[str, Any], ...] = (
    _scheduler("automatic", "Automatic"),
    _scheduler("uniform", "Uniform", inner=True),
    _scheduler("karras", "Karras", rho=7.0),
    _scheduler("exponential", "Exponential"),
    _scheduler("polyexponential", "Polyexponential", rho=1.0),
    _scheduler("sgm_uniform", "SGM Uniform", aliases=["SGMUniform"], inner=True),
    _scheduler("simple", "Simple"),
    _scheduler("normal", "Normal"),
)


def _upscaler(name: str, model_name: str | None = None, model_path: str | None = None,
              scale: float = 4) -> dict[str, Any]:
    return {"name": name, "model_name": model_name, "model_path": model_path, "model_url": None,
            "scale": scale}


DEFAULT_UPSCALERS: tuple[dict[str, Any], ...] = (
    _upscaler("None"),
    _upscaler("Lanczos"),
    _upscaler("Nearest"),
    _upscaler("ESRGAN_4x", "ESRGAN_4x", "/models/ESRGAN/ESRGAN_4x.pth"),
    _upscaler("R-ESRGAN 4x+", "R-ESRGAN 4x+", "/models/RealESRGAN/RealESRGAN_x4plus.pth"),
    _upscaler("R-ESRGAN 4x+ Anime6B", "R-ESRGAN 4x+ Anime6B",
              "/models/RealESRGAN/RealESRGAN_x4plus_anime_6B.pth"),
)

DEFAULT_VAES: tuple[dict[str, Any], ...] = (
    {"model_name": "vae-ft-mse-840000-ema-pruned.safetensors",
     "filename": f"{VAE_DIR}/vae-ft-mse-840000-ema-pruned.safetensors"},
    {"model_name": "sdxl_vae.safetensors", "filename": f"{VAE_DIR}/sdxl_vae.safetensors"},
)

# Titles of the always-on scripts the fake pretends to have (A1111 matches them case-insensitively).
DEFAULT_ALWAYSON_SCRIPTS: tuple[str, ...] = ("ADetailer", "Refiner", "Seed", "Sampler", "Extra options")


def default_options(model: Mapping[str, Any]) -> dict[str, Any]:
    """A representative slice of ``GET /sdapi/v1/options`` (the real one has several hundred keys)."""
    return {
        "sd_model_checkpoint": model["title"],
        "sd_checkpoint_hash": model["sha256"],
        "sd_vae": "Automatic",
        "CLIP_stop_at_last_layers": 1,
        "eta_noise_seed_delta": 0,
        "samples_format": "png",
        "samples_save": True,
        "show_progress_every_n_steps": 10,
        "sd_checkpoint_cache": 0,
        "upscaler_for_img2img": None,
        "img2img_fix_steps": False,
        "token_merging_ratio": 0.0,
    }


def cmd_flags(username: str | None, password: str | None) -> dict[str, Any]:
    """A slice of ``GET /sdapi/v1/cmd-flags`` (``vars(cmd_opts)`` in A1111)."""
    return {
        "api": True,
        "api_auth": f"{username}:{password}" if username is not None else None,
        "api_log": False,
        "nowebui": False,
        "listen": False,
        "port": None,
        "xformers": False,
        "medvram": False,
        "lowvram": False,
        "no_half": False,
        "skip_torch_cuda_test": False,
        "api_server_stop": False,
        "ckpt_dir": MODELS_DIR,
        "vae_dir": VAE_DIR,
    }


def find_model(models: Iterable[Mapping[str, Any]], name: Any) -> Mapping[str, Any] | None:
    """The checkpoint A1111 would pick for ``name`` (its "checkpoint aliases"), or None."""
    if not isinstance(name, str) or not name:
        return None
    for model in models:
        base = posixpath.basename(model["filename"])
        aliases = {model["title"], model["model_name"], model["hash"], model["sha256"], model["filename"],
                   base, f"{base} [{model['hash']}]"}
        if name in aliases:
            return model
    return None


def find_vae(vaes: Iterable[Mapping[str, Any]], name: Any) -> Mapping[str, Any] | None:
    if not isinstance(name, str):
        return None
    for vae in vaes:
        if name in (vae["model_name"], vae["filename"], posixpath.splitext(vae["model_name"])[0]):
            return vae
    return None


def resolve_sampler(samplers: list[Mapping[str, Any]], schedulers: list[Mapping[str, Any]],
                    sampler_name: Any, scheduler_name: Any) -> tuple[str, str]:
    """(sampler name, scheduler label) the way A1111 1.10 resolves them: silently, never failing."""
    by_key = {s["name"]: s for s in schedulers} | {s["label"]: s for s in schedulers}
    found = by_key.get(scheduler_name) if isinstance(scheduler_name, str) else None
    found = found or schedulers[0]
    name = sampler_name if isinstance(sampler_name, str) and sampler_name else samplers[0]["name"]
    for sched in schedulers:  # legacy combined names, e.g. "DPM++ 2M Karras"
        suffix = next((opt for opt in (sched["label"], sched["name"], *(sched["aliases"] or []))
                       if name.endswith(" " + opt)), None)
        if suffix is not None:
            found, name = sched, name[: -(len(suffix) + 1)]
            break
    sampler = next((s for s in samplers if s["name"] == name), samplers[0])
    if sampler["options"].get("scheduler") == found["name"]:
        found = schedulers[0]  # the sampler's own default scheduler is reported as "Automatic"
    return sampler["name"], found["label"]


def resolve_legacy_sampler(samplers: list[Mapping[str, Any]], sampler_name: Any) -> str:
    """The sampler an A1111 older than 1.9 runs: the one named (name or alias), else its first."""
    for sampler in samplers:
        if sampler_name in (sampler["name"], *(sampler.get("aliases") or [])):
            return str(sampler["name"])
    return str(samplers[0]["name"])


# /sdapi/v1/samplers of A1111 v1.8: the schedule is part of the name.
LEGACY_SAMPLERS: tuple[dict[str, Any], ...] = (
    {"name": "DPM++ 2M Karras", "aliases": ["k_dpmpp_2m_ka"], "options": {"scheduler": "karras"}},
    {"name": "DPM++ SDE Karras", "aliases": ["k_dpmpp_sde_ka"], "options": {"scheduler": "karras"}},
    {"name": "Euler a", "aliases": ["k_euler_a", "k_euler_ancestral"], "options": {"uses_ensd": "True"}},
    {"name": "Euler", "aliases": ["k_euler"], "options": {}},
    {"name": "DPM++ 2M", "aliases": ["k_dpmpp_2m"], "options": {}},
    {"name": "DPM++ 2M SDE Exponential", "aliases": ["k_dpmpp_2m_sde_exp"],
     "options": {"scheduler": "exponential", "brownian_noise": "True"}},
)


def find_upscaler(upscalers: Iterable[Mapping[str, Any]], name: Any) -> Mapping[str, Any] | None:
    return next((u for u in upscalers if u["name"] == name), None)


def find_script(scripts: Iterable[str], name: str) -> str | None:
    return next((s for s in scripts if s.lower() == name.lower()), None)
