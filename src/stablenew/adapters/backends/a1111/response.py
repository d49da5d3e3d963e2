"""Reading A1111 answers: images from base64, and what really ran from the `info` JSON and infotext."""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from typing import Any

from PIL import Image

from stablenew.domain.records.infotext import postprocess_infotext
from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import GeneratedImage, StageOutput

# A1111's own `Key: value,` pattern (modules/infotext_utils.py).
_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_INFO_KEYS = {"seed": "seed", "all_seeds": "all_seeds", "subseed": "subseed", "sd_model_name": "model",
              "sd_model_hash": "model_hash", "sampler_name": "sampler_name", "sd_vae_name": "vae",
              "version": "version", "width": "width", "height": "height", "steps": "steps",
              "cfg_scale": "cfg_scale", "clip_skip": "clip_skip"}


def malformed(where: str, what: str) -> BackendError:
    """A 200 answer whose body is not what the A1111 API documents (`where` names server and call)."""
    return BackendError(f"{where}: malformed response ({what})", kind=FailureKind.BAD_RESPONSE)


def decode_image(encoded: Any, where: str) -> bytes:
    """PNG/JPEG bytes from A1111's base64 text (a data: URL prefix allowed); kind bad_image if not."""
    if not isinstance(encoded, str):
        raise BackendError(f"{where}: an image is not base64 text", kind=FailureKind.BAD_IMAGE)
    if encoded.startswith("data:") and "," in encoded:
        encoded = encoded.split(",", 1)[1]
    try:
        data = base64.b64decode(encoded, validate=True)
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (binascii.Error, ValueError, OSError) as exc:
        raise BackendError(f"{where}: an image is not valid base64 image data ({exc})",
                           kind=FailureKind.BAD_IMAGE) from None
    return data


def infotext_params(infotext: str) -> dict[str, str]:
    """The `Key: value` pairs of an infotext's last line, unquoted."""
    last = infotext.strip().splitlines()[-1] if infotext.strip() else ""
    pairs: dict[str, str] = {}
    for key, value in _PARAM.findall(last):
        text = value.strip()
        if len(text) > 1 and text[0] == '"' and text[-1] == '"':
            try:
                text = json.loads(text)
            except json.JSONDecodeError:
                text = text[1:-1]
        pairs[key.strip()] = text
    return pairs


def _info(body: dict[str, Any], where: str) -> dict[str, Any]:
    raw = body.get("info")
    if isinstance(raw, dict):
        return raw
    try:
        info = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError:
        info = None
    if not isinstance(info, dict):
        raise malformed(where, "`info` is not a JSON object")
    return info


def generation_output(body: Any, where: str, *, retries: int) -> StageOutput:
    """Images (grid and extras dropped), per-image seed + infotext, and the params that really ran."""
    if not isinstance(body, dict) or not isinstance(body.get("images"), list):
        raise malformed(where, "no `images` list")
    info = _info(body, where)
    first = int(info.get("index_of_first_image") or 0)
    seeds = info.get("all_seeds") or [info.get("seed")]
    infotexts = info.get("infotexts") or []
    encoded = body["images"][first:first + len(seeds)]
    images = tuple(
        GeneratedImage(data=decode_image(item, where), seed=seeds[i],
                       infotext=infotexts[first + i] if first + i < len(infotexts) else None)
        for i, item in enumerate(encoded)
    )
    params: dict[str, Any] = {ours: info[theirs] for theirs, ours in _INFO_KEYS.items()
                              if info.get(theirs) is not None}
    if images and images[0].infotext:
        pairs = infotext_params(images[0].infotext)
        if "Schedule type" in pairs:
            params["scheduler"] = pairs["Schedule type"]
        if "Version" in pairs:
            params.setdefault("version", pairs["Version"])
    if info.get("extra_generation_params"):
        params["extra_generation_params"] = info["extra_generation_params"]
    if retries:
        params["retries"] = retries
    return StageOutput(images=images, params=params)


def upscale_output(body: Any, where: str, *, request_params: dict[str, Any], input_infotext: str | None,
                   retries: int) -> StageOutput:
    """The upscaled image; its infotext is the input's plus A1111's `Postprocess ...` pairs."""
    if not isinstance(body, dict) or "image" not in body:
        raise malformed(where, "no `image`")
    data = decode_image(body["image"], where)
    infotext, postprocessing = postprocess_infotext(input_infotext, request_params)
    params = dict(request_params)
    if retries:
        params["retries"] = retries
    image = GeneratedImage(data=data, infotext=infotext, extra_text={"postprocessing": postprocessing})
    return StageOutput(images=(image,), params=params)


def png_parameters(data: bytes) -> str | None:
    """The `parameters` text chunk of an image, when it has one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            text = getattr(image, "text", {}) or {}
            value = text.get("parameters") or image.info.get("parameters")
    except OSError:
        return None
    return str(value) if value else None
