"""PillowImageLibrary: walks folders and reads PNG text chunks and JPEG/WebP EXIF with Pillow."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from PIL import ExifTags, Image, UnidentifiedImageError

from stablenew.domain.errors import InputError
from stablenew.domain.imports.image_file import ImageFile
from stablenew.domain.ports.image_library import ImageLibrary, UnreadableImageError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif"})
_WANTED = ("parameters", "prompt", "workflow", "stablenew", "postprocessing")
# EXIF UserComment's 8-byte character-code prefix (EXIF 2.3, table 9).
_CHARSETS = {b"ASCII\x00\x00\x00": "ascii", b"UNICODE\x00": "utf-16", b"\x00" * 8: "utf-8"}


def user_comment(raw: bytes | str) -> str:
    """The text of an EXIF UserComment (A1111 writes UNICODE, big-endian, as piexif does)."""
    if isinstance(raw, str):
        return raw
    prefix, body = raw[:8], raw[8:]
    charset = _CHARSETS.get(prefix)
    if charset == "utf-16":
        big = body[:1] == b"\x00" or (len(body) > 1 and body[1:2] != b"\x00")
        return body.decode("utf-16-be" if big else "utf-16-le", errors="replace")
    if charset is None:
        body = raw
    return body.decode("utf-8", errors="replace").rstrip("\x00")


def _text(image: Image.Image, data: bytes) -> dict[str, str]:
    info = {str(k): v for k, v in image.info.items() if isinstance(v, str)}
    if image.format == "PNG" and not any(key in info for key in _WANTED):
        with Image.open(io.BytesIO(data)) as again:  # text chunks after the image data need a full read
            info.update({str(k): str(v) for k, v in getattr(again, "text", {}).items()})
    if image.format in ("JPEG", "WEBP", "TIFF") and "parameters" not in info:
        comment = image.getexif().get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.UserComment)
        if isinstance(comment, bytes | str) and comment:
            info["parameters"] = user_comment(comment)
    return {key: info[key] for key in _WANTED if key in info}


class PillowImageLibrary(ImageLibrary):
    """Reads each file once: bytes for the hash, Pillow for format, size, text and a CRC check."""

    def check_paths(self, paths: Sequence[str]) -> None:
        for path in paths:
            if not Path(path).exists():
                raise InputError("no such file or folder", source=str(path))

    def find(self, paths: Sequence[str], *, recursive: bool) -> Iterator[str]:
        """Streamed; a file reached twice (overlapping arguments) is read twice and deduped by hash."""
        for given in paths:
            root = Path(given)
            for path in self._walk(root, recursive) if root.is_dir() else iter([given]):
                yield os.path.abspath(path)

    @staticmethod
    def _walk(root: Path, recursive: bool) -> Iterator[str]:
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith(".")) if recursive else []
            for name in sorted(files):
                if not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES:
                    yield os.path.join(folder, name)

    def read(self, path: str) -> ImageFile:
        try:
            with open(path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                data = handle.read()
        except OSError as exc:
            raise UnreadableImageError("unreadable", exc.strerror or str(exc)) from None
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = str(image.format), image.size
                text = _text(image, data)
                image.verify()  # chunk CRCs and structure, without decoding the pixels
        except UnidentifiedImageError:
            raise UnreadableImageError("unknown_format", "not an image Pillow can read") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise UnreadableImageError("corrupt", str(exc) or type(exc).__name__) from None
        modified = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat()
        return ImageFile(path=path, sha256=hashlib.sha256(data).hexdigest(), size_bytes=stat.st_size,
                         modified=modified, format=fmt, width=width, height=height, text=text)
