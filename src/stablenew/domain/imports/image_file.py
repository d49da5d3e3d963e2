"""One image file found by an import: where it is, its hash, size, time and embedded text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class ImageFile:
    """What an import reads from a file: identity (path, sha256), facts, and its text metadata
    (PNG text chunks by key; a JPEG/WebP EXIF UserComment as ``parameters``)."""

    path: str
    sha256: str
    size_bytes: int
    modified: str  # ISO 8601, UTC
    format: str  # Pillow's name: PNG, JPEG, WEBP ...
    width: int
    height: int
    text: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", MappingProxyType(dict(self.text)))
