"""Request validation and response building for the fake AUTOMATIC1111 generation endpoints.

Validation imitates FastAPI + pydantic 1.x (what A1111 v1.10 runs): fields are coerced leniently
("512" -> 512, 7 -> 7.0, 512.9 -> 512) and a value that cannot be coerced gives a 422 with
``{"detail": [{"loc": ["body", field], "msg": ..., "type": ...}]}``. Anything else A1111
accepts silently (unknown sampler, unknown checkpoint override, extra keys) is accepted here too.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
from typing import Any

from PIL import Image, PngImagePlugin

from .a1111_catalog import ADETAILER_VERSION, WEBUI_VERSION

MAX_UPSCALE_SIDE = 2048


class ApiError(Exception):
    """An error answer: ``status`` and the JSON ``body`` to send."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def a1111_error(status: int, error: str, errors: str, detail: str = "") -> ApiError:
    """An error shaped by A1111's API exception middleware."""
    return ApiError(status, {"error": error, "detail": detail, "body": "", "errors": errors})


def http_exception(status: int, detail: str) -> ApiError:
    """``raise HTTPException(status, detail)`` inside an A1111 route, as the client sees it."""
    return a1111_error(status, "HTTPException", f"{status}: {detail}", detail)


def validation_error(loc: list[Any], msg: str, type_: str, ctx: dict[str, Any] | None = None) -> ApiError:
    item: dict[str, Any] = {"loc": loc, "msg": msg, "type": type_}
    if ctx is not None:
        item["ctx"] = ctx
    return ApiError(422, {"detail": [item]})


def parse_json_body(raw: bytes) -> Any:
    """The decoded body, or a FastAPI-style 422 for bytes that are not JSON."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise validation_error(["body", exc.start], "Invalid UTF-8 in body",
                               "value_error.jsondecode") from exc
    except json.JSONDecodeError as exc:
        raise validation_error(["body", exc.pos], str(exc), "value_error.jsondecode",
                               {"msg": exc.msg, "doc": exc.doc, "pos": exc.pos, "lineno": exc.lineno,
                                "colno": exc.colno}) from exc


INT_FIELDS = ("seed", "subseed", "seed_resize_from_h", "seed_resize_from_w", "batch_size", "n_iter", "steps",
              "width", "height", "resize_mode", "mask_blur", "inpainting_fill", "hr_second_pass_steps")
FLOAT_FIELDS = ("cfg_scale", "subseed_strength", "denoising_strength", "eta", "image_cfg_scale", "hr_scale")
DICT_FIELDS = ("override_settings", "alwayson_scripts")
LIST_FIELDS = ("init_images", "script_args", "styles")

TXT2IMG_DEFAULTS: dict[str, Any] = {
    "prompt": "", "negative_prompt": "", "styles": None, "seed": -1, "subseed": -1, "subseed_strength": 0.0,
    "seed_resize_from_h": -1, "seed_resize_from_w": -1, "sampler_name": None, "scheduler": None,
    "batch_size": 1, "n_iter": 1, "steps": 50, "cfg_scale": 7.0, "width": 512, "height": 512,
    "restore_faces": None, "tiling": None, "do_not_save_samples": False, "do_not_save_grid": False,
    "eta": None,
    "denoising_strength": None, "override_settings": None, "override_settings_restore_afterwards": True,
    "refiner_checkpoint": None, "refiner_switch_at": None, "enable_hr": False, "hr_scale": 2.0,
    "hr_upscaler": None, "hr_second_pass_steps": 0, "sampler_index": "Euler",
    "script_name": None, "script_args": [], "send_images": True, "save_images": False,
    "alwayson_scripts": {}, "force_task_id": None, "infotext": None,
}
IMG2IMG_DEFAULTS: dict[str, Any] = {
    **{k: v for k, v in TXT2IMG_DEFAULTS.items() if not k.startswith(("enable_hr", "hr_"))},
    "init_images": None, "resize_mode": 0, "image_cfg_scale": None, "mask": None,
    "mask_blur": 4, "inpainting_fill": 0, "inpaint_full_res": True, "denoising_strength": 0.75,
    "include_init_images": False,
}


def coerce_int(field: str, value: Any) -> int:
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise validation_error(["body", field], "value is not a valid integer", "type_error.integer")


def coerce_float(field: str, value: Any) -> float:
    try:
        if not isinstance(value, dict | list):
            return float(value)
    except (TypeError, ValueError):
        pass
    raise validation_error(["body", field], "value is not a valid float", "type_error.float")


def validate_generation(body: Any, *, img2img: bool) -> dict[str, Any]:
    """The request merged over A1111's defaults and coerced, the way the pydantic model does it."""
    if body is None:
        raise validation_error(["body"], "field required", "value_error.missing")
    if not isinstance(body, dict):
        raise validation_error(["body"], "value is not a valid dict", "type_error.dict")
    req = {**(IMG2IMG_DEFAULTS if img2img else TXT2IMG_DEFAULTS), **body}
    for field in INT_FIELDS:
        if req.get(field) is not None:
            req[field] = coerce_int(field, req[field])
    for field in FLOAT_FIELDS:
        if req.get(field) is not None:
            req[field] = coerce_float(field, req[field])
    for field in DICT_FIELDS:
        if req.get(field) is not None and not isinstance(req[field], dict):
            raise validation_error(["body", field], "value is not a valid dict", "type_error.dict")
    for field in LIST_FIELDS:
        if req.get(field) is not None and not isinstance(req[field], list):
            raise validation_error(["body", field], "value is not a valid list", "type_error.list")
    req["override_settings"] = req.get("override_settings") or {}
    req["alwayson_scripts"] = req.get("alwayson_scripts") or {}
    return req


def decode_image(encoded: Any) -> Image.Image:
    """A1111's ``decode_base64_to_image``: plain base64 or a ``data:image/...;base64,`` URL."""
    if not isinstance(encoded, str):
        raise http_exception(500, "Invalid encoded image")
    if encoded.startswith("data:image/"):
        encoded = encoded.split(";")[1].split(",")[1]
    try:
        image = Image.open(io.BytesIO(base64.b64decode(encoded)))
        image.load()
    except (binascii.Error, ValueError, OSError) as exc:
        raise http_exception(500, "Invalid encoded image") from exc
    return image


def encode_png(image: Image.Image, infotext: str | None = None) -> str:
    pnginfo = None
    if infotext is not None:
        pnginfo = PngImagePlugin.PngInfo()
        pnginfo.add_text("parameters", infotext)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=pnginfo, compress_level=1)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def seed_colour(seed: int) -> tuple[int, int, int]:
    return ((seed * 2654435761) >> 8 & 0xFF, (seed * 40503) >> 4 & 0xFF, (seed * 69069) >> 12 & 0xFF)


def make_grid(images: list[Image.Image]) -> Image.Image:
    cols = math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / cols)
    w, h = images[0].size
    grid = Image.new("RGB", (cols * w, rows * h))
    for i, img in enumerate(images):
        grid.paste(img, (i % cols * w, i // cols * h))
    return grid


def _ordinal_suffix(n: int) -> str:
    if n == 0:
        return ""
    number = n + 1
    ending = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f" {number}{ending}"


def adetailer_params(args: Any) -> dict[str, Any]:
    """The infotext keys ADetailer adds for its ``alwayson_scripts`` args (bools first, then units)."""
    if not isinstance(args, list) or (args and args[0] is False):
        return {}
    units = [a for a in args if isinstance(a, dict) and a.get("ad_model", "None") != "None"]
    params: dict[str, Any] = {}
    for i, unit in enumerate(units):
        suffix = _ordinal_suffix(i)
        params[f"ADetailer model{suffix}"] = unit["ad_model"]
        if unit.get("ad_prompt"):
            params[f"ADetailer prompt{suffix}"] = unit["ad_prompt"]
        params[f"ADetailer confidence{suffix}"] = unit.get("ad_confidence", 0.3)
        params[f"ADetailer denoising strength{suffix}"] = unit.get("ad_denoising_strength", 0.4)
    if params:
        params["ADetailer version"] = ADETAILER_VERSION
    return params


def quote(value: Any) -> str:
    text = str(value)
    if "," not in text and "\n" not in text and ":" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def infotext(prompt: str, negative: str, params: dict[str, Any]) -> str:
    """An A1111 infotext: prompt, optional ``Negative prompt:`` line, then ``Key: value, ...``."""
    fields = ", ".join(f"{k}: {quote(v)}" for k, v in params.items() if v is not None)
    negative_line = f"\nNegative prompt: {negative}" if negative else ""
    return f"{prompt}{negative_line}\n{fields}".strip()


def generation_params(req: dict[str, Any], ctx: dict[str, Any], seed: int, batch_pos: int) -> dict[str, Any]:
    """The ``Key: value`` part of one image's infotext, in A1111's order."""
    vae = ctx["vae"]
    params: dict[str, Any] = {
        "Steps": req["steps"], "Sampler": ctx["sampler"], "Schedule type": ctx["scheduler"],
        "CFG scale": req["cfg_scale"], "Image CFG scale": req.get("image_cfg_scale"), "Seed": seed,
        "Size": f"{req['width']}x{req['height']}", "Model hash": ctx["model"]["hash"],
        "Model": ctx["model"]["model_name"], "VAE": vae["model_name"] if vae else None,
        "Variation seed": ctx["subseed"] if req["subseed_strength"] else None,
        "Variation seed strength": req["subseed_strength"] or None,
        "Denoising strength": ctx["denoising_strength"] if ctx["img2img"] else None,
        "Clip skip": ctx["clip_skip"] if ctx["clip_skip"] > 1 else None,
    }
    if req["batch_size"] > 1:
        params.update({"Batch size": req["batch_size"], "Batch pos": batch_pos})
    params.update(ctx["extra_params"])
    params["Version"] = WEBUI_VERSION
    return params


def build_info(req: dict[str, Any], ctx: dict[str, Any], infotexts: list[str], grid: bool) -> dict[str, Any]:
    """The object A1111 serialises into the ``info`` string of a generation response."""
    n = req["batch_size"] * req["n_iter"]
    strength = req["subseed_strength"]
    vae = ctx["vae"]
    return {
        "prompt": req["prompt"], "all_prompts": [req["prompt"]] * n,
        "negative_prompt": req["negative_prompt"], "all_negative_prompts": [req["negative_prompt"]] * n,
        "seed": ctx["seed"], "all_seeds": [ctx["seed"] + (i if strength == 0 else 0) for i in range(n)],
        "subseed": ctx["subseed"], "all_subseeds": [ctx["subseed"] + i for i in range(n)],
        "subseed_strength": strength, "width": req["width"], "height": req["height"],
        "sampler_name": ctx["sampler"], "cfg_scale": req["cfg_scale"], "steps": req["steps"],
        "batch_size": req["batch_size"], "restore_faces": bool(req.get("restore_faces")),
        "face_restoration_model": None, "sd_model_name": ctx["model"]["model_name"],
        "sd_model_hash": ctx["model"]["hash"], "sd_vae_name": vae["model_name"] if vae else None,
        "sd_vae_hash": None, "seed_resize_from_w": req["seed_resize_from_w"],
        "seed_resize_from_h": req["seed_resize_from_h"], "denoising_strength": ctx["denoising_strength"],
        "extra_generation_params": ctx["extra_params"], "index_of_first_image": 1 if grid else 0,
        "infotexts": infotexts, "styles": req.get("styles") or [], "job_timestamp": ctx["job_timestamp"],
        "clip_skip": ctx["clip_skip"], "is_using_inpainting_conditioning": False, "version": WEBUI_VERSION,
    }


# A1111 1.10's shared.latent_upscale_modes (hr_upscaler names that upscale the latent).
LATENT_UPSCALE_MODES = ("Latent", "Latent (antialiased)", "Latent (bicubic)", "Latent (bicubic antialiased)",
                        "Latent (nearest)", "Latent (nearest-exact)")


def hires_params(req: dict[str, Any], upscalers: list[dict[str, Any]]) -> dict[str, Any]:
    """A txt2img hires fix: the infotext keys A1111 adds; its exception for an unknown hr_upscaler."""
    name = req.get("hr_upscaler") or "Latent"
    if name not in LATENT_UPSCALE_MODES and not any(u["name"] == name for u in upscalers):
        raise a1111_error(500, "Exception", f"could not find upscaler named {name}")
    params: dict[str, Any] = {"Denoising strength": req["denoising_strength"] if req["denoising_strength"]
                              is not None else 0.7, "Hires upscale": req["hr_scale"]}
    if req.get("hr_second_pass_steps"):
        params["Hires steps"] = req["hr_second_pass_steps"]
    params["Hires upscaler"] = name
    return params


def upscale_single_image(body: Any, upscalers: list[dict[str, Any]]) -> dict[str, Any]:
    """``POST /sdapi/v1/extra-single-image``: resize by the factor (or to w x h), capped at 2048 px."""
    if not isinstance(body, dict):
        raise validation_error(["body"], "value is not a valid dict", "type_error.dict")
    mode = body.get("resize_mode", 0)
    if mode not in (0, 1):
        raise validation_error(["body", "resize_mode"], "unexpected value; permitted: 0, 1",
                               "value_error.const", {"given": mode, "permitted": [0, 1]})
    factor = coerce_float("upscaling_resize", body.get("upscaling_resize", 2))
    if factor <= 0:
        raise validation_error(["body", "upscaling_resize"], "ensure this value is greater than 0",
                               "value_error.number.not_gt", {"limit_value": 0})
    image = decode_image(body.get("image", ""))
    name = body.get("upscaler_1", "None")
    if not any(u["name"] == name for u in upscalers):
        raise a1111_error(500, "AssertionError", f"could not find upscaler named {name}")
    width, height = image.size
    if name != "None":
        if mode == 0:
            width, height = round(width * factor), round(height * factor)
        else:
            width = coerce_int("upscaling_resize_w", body.get("upscaling_resize_w", 512))
            height = coerce_int("upscaling_resize_h", body.get("upscaling_resize_h", 512))
        scale = min(1.0, MAX_UPSCALE_SIDE / max(width, height))
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
    result = image.convert("RGB").resize((width, height), Image.Resampling.NEAREST)
    html = f"<p>Postprocess upscale by: {factor}, Postprocess upscaler: {name}</p>"
    return {"html_info": html, "image": encode_png(result)}
