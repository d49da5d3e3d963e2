"""Request bodies for /txt2img, /img2img (+ ADetailer) and /extra-single-image from a StageRequest."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

from PIL import Image

from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import StageRequest

TXT2IMG_PATH, IMG2IMG_PATH = "/sdapi/v1/txt2img", "/sdapi/v1/img2img"
EXTRAS_PATH = "/sdapi/v1/extra-single-image"
_SAMPLING = ("steps", "cfg_scale", "width", "height", "batch_size", "denoising_strength")
# ADetailer unit keys StableNew passes through (ADetailer's own API names).
_AD_UNIT = ("ad_model", "ad_prompt", "ad_negative_prompt", "ad_confidence", "ad_denoising_strength",
            "ad_mask_blur", "ad_inpaint_only_masked", "ad_inpaint_padding")


def encode_image(data: bytes) -> str:
    """Base64 text of the image bytes, as A1111's init_images and image fields take them."""
    return base64.b64encode(data).decode("ascii")


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of an encoded image; BackendError(kind=FailureKind.BAD_IMAGE) when unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except OSError as exc:
        raise BackendError(f"the input image is not readable: {exc}", kind=FailureKind.BAD_IMAGE) from None


def _override_settings(params: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """Model, VAE and clip skip pinned for this request only (never a global POST /options)."""
    overrides: dict[str, Any] = {}
    if names.get("model"):
        overrides["sd_model_checkpoint"] = names["model"]
    if names.get("vae"):
        overrides["sd_vae"] = names["vae"]
    if params.get("clip_skip") is not None:
        overrides["CLIP_stop_at_last_layers"] = int(params["clip_skip"])
    return overrides


def hires_fields(params: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A txt2img hires fix in A1111's payload names (its second-pass denoise is `denoising_strength`)."""
    if params.get("enable_hr") is not True:
        return {}
    fields: dict[str, Any] = {"enable_hr": True}
    for ours, theirs in (("hr_scale", "hr_scale"), ("hr_second_pass_steps", "hr_second_pass_steps"),
                         ("hr_denoising_strength", "denoising_strength")):
        if params.get(ours) is not None:
            fields[theirs] = params[ours]
    if params.get("hr_upscaler"):
        fields["hr_upscaler"] = names.get("hr_upscaler", params["hr_upscaler"])
    return fields


def generation_body(request: StageRequest, names: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """(path, body) for a txt2img, img2img or adetailer stage; seed -1 goes as -1."""
    params = request.params
    body: dict[str, Any] = {
        "prompt": request.prompt, "negative_prompt": request.negative_prompt,
        "seed": int(params.get("seed", -1)), "subseed": -1,
        "sampler_name": names.get("sampler_name", params.get("sampler_name")),
        "scheduler": names.get("scheduler", params.get("scheduler")) or None,  # "": the server has none
        "n_iter": 1, "send_images": True, "save_images": False,
        "override_settings": _override_settings(params, names),
        "override_settings_restore_afterwards": True,
    }
    body.update({key: params[key] for key in _SAMPLING if params.get(key) is not None})
    if request.stage == "txt2img":
        body.update(hires_fields(params, names))
        return TXT2IMG_PATH, body
    if request.input_image is None:
        raise BackendError(f"{request.stage} needs an input image", kind=FailureKind.BAD_REQUEST)
    width, height = image_size(request.input_image)
    body.setdefault("width", width)
    body.setdefault("height", height)
    body["init_images"] = [encode_image(request.input_image)]
    if request.stage == "adetailer":
        unit = {key: params[key] for key in _AD_UNIT if params.get(key) is not None}
        # [enable, skip_img2img, unit]: skip_img2img runs only ADetailer on the init image.
        body["alwayson_scripts"] = {"ADetailer": {"args": [True, True, unit]}}
    return IMG2IMG_PATH, body


def upscale_body(request: StageRequest, names: Mapping[str, str]) -> dict[str, Any]:
    """The /extra-single-image body: upscaler_1 (and _2) by the server's names, scaled by a factor."""
    if request.input_image is None:
        raise BackendError("upscale needs an input image", kind=FailureKind.BAD_REQUEST)
    image_size(request.input_image)
    params = request.params
    body: dict[str, Any] = {
        "image": encode_image(request.input_image), "resize_mode": 0,
        "upscaling_resize": float(params.get("upscaling_resize", 2.0)),
        "upscaler_1": names.get("upscaler", params.get("upscaler") or "None"),
        "upscaler_2": names.get("upscaler_2", params.get("upscaler_2") or "None"),
        "extras_upscaler_2_visibility": float(params.get("extras_upscaler_2_visibility") or 0.0),
    }
    return body
