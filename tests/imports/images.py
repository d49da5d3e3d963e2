"""Writing test images the way A1111, Forge and ComfyUI write them (Pillow only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, PngImagePlugin

RECORDED = Path(__file__).parents[1] / "fixtures" / "recorded"


def png(path: Path, colour: tuple[int, int, int] = (10, 20, 30), **text: str) -> Path:
    """A 64x64 PNG with the given text chunks."""
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), colour).save(path, pnginfo=info)
    return path


def exif_image(path: Path, parameters: str, fmt: str, colour: tuple[int, int, int] = (40, 50, 60)) -> Path:
    """A JPEG or WebP with A1111's EXIF UserComment (UNICODE, UTF-16 big-endian, as piexif writes)."""
    exif = Image.Exif()
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.UserComment: b"UNICODE\x00" + parameters.encode("utf-16-be")}
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (48, 32), colour).save(path, format=fmt, exif=exif.tobytes())
    return path


def comfy_graph(name: str) -> dict[str, Any]:
    """The API-format graph of a recorded ComfyUI /prompt request."""
    exchange = json.loads((RECORDED / "comfyui-0.3.64" / f"{name}.json").read_text(encoding="utf-8"))
    graph: dict[str, Any] = exchange["request"]["json"]["prompt"]
    return graph


def a1111_infotext(name: str = "post-txt2img") -> str:
    """A1111 1.10.1's own infotext from a recorded response."""
    exchange = json.loads((RECORDED / "a1111-1.10.1" / f"{name}.json").read_text(encoding="utf-8"))
    text: str = json.loads(exchange["response"]["json"]["info"])["infotexts"][0]
    return text
