"""Saving images as PNG with A1111 `parameters` infotext and a StableNew JSON chunk."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from stablenew.domain.run.results import ImageArtifact

JSON_CHUNK = "stablenew"


def save_png(
    data: bytes, path: Path, *, infotext: str, metadata: Mapping[str, Any], extra_text: Mapping[str, str],
    seed: int | None,
) -> ImageArtifact:
    """Write `data` (any Pillow-readable image) to `path` as PNG with our text chunks; atomic rename."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", infotext)
        info.add_text(JSON_CHUNK, json.dumps(dict(metadata), ensure_ascii=False, default=str))
        for key, value in extra_text.items():
            info.add_text(key, value)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", pnginfo=info, compress_level=1)
        width, height = image.size
    blob = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(blob)
    os.replace(partial, path)
    return ImageArtifact(path=str(path), sha256=hashlib.sha256(blob).hexdigest(), width=width,
                         height=height, seed=seed)


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of encoded image bytes (read from the header), or None when unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except OSError:
        return None


def read_png_text(path: Path | str) -> dict[str, str]:
    """The text chunks of a PNG (``parameters``, ``stablenew``, ``prompt`` ...)."""
    with Image.open(path) as image:
        image.load()
        return {str(k): str(v) for k, v in getattr(image, "text", {}).items()}
