"""Saving images as PNG with A1111 `parameters` infotext and a StableNew JSON chunk."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from stablenew.domain.records.escaping import escape_controls_as_json
from stablenew.domain.run.results import ImageArtifact

JSON_CHUNK = "stablenew"


def save_png(
    data: bytes, path: Path, *, infotext: str, metadata: Mapping[str, Any], extra_text: Mapping[str, str],
    seed: int | None, fsync: Callable[[int], None] = os.fsync,
) -> ImageArtifact:
    """Write `data` (any Pillow-readable image) to `path` as PNG with our text chunks, durably: the
    bytes are fsynced before an atomic rename, then the folder (and every folder this created), so
    the image is on disk before the record that names it. No control character but the newline
    reaches a chunk raw (NUL would end a tEXt value, an ANSI escape would reach whoever prints it):
    each is written as `\\uXXXX`, which keeps JSON chunks JSON."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", escape_controls_as_json(infotext))
        info.add_text(JSON_CHUNK, escape_controls_as_json(json.dumps(dict(metadata), ensure_ascii=False,
                                                                     default=str)))
        for key, value in extra_text.items():
            info.add_text(key, escape_controls_as_json(value))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", pnginfo=info, compress_level=1)
        width, height = image.size
    blob = buffer.getvalue()
    make_dirs_durably(path.parent, fsync)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(blob)
        fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)
    fsync_dir(path.parent, fsync)
    return ImageArtifact(path=str(path), sha256=hashlib.sha256(blob).hexdigest(), width=width,
                         height=height, seed=seed)


def make_dirs_durably(directory: Path, fsync: Callable[[int], None] = os.fsync) -> None:
    """mkdir -p `directory`, then fsync the parent of each folder it created, so their entries survive."""
    created: list[Path] = []
    folder = directory
    while not folder.exists() and folder != folder.parent:
        created.append(folder)
        folder = folder.parent
    directory.mkdir(parents=True, exist_ok=True)
    for new in reversed(created):
        fsync_dir(new.parent, fsync)


def fsync_dir(directory: Path, fsync: Callable[[int], None] = os.fsync) -> None:
    """fsync a folder, so the entries made in it (a renamed file, a new folder) survive a crash."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fsync(fd)
    finally:
        os.close(fd)


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
