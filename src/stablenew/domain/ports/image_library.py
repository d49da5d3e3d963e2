"""ImageLibrary port: finds image files and reads what an import needs from each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from stablenew.domain.imports.image_file import ImageFile


class UnreadableImageError(Exception):
    """A file that cannot be imported: `kind` is "unknown_format", "corrupt" or "unreadable"."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class ImageLibrary(ABC):
    """The files of an import and their metadata."""

    @abstractmethod
    def check_paths(self, paths: Sequence[str]) -> None:
        """Raise InputError naming the first path that does not exist (before anything is read)."""
        raise NotImplementedError

    @abstractmethod
    def find(self, paths: Sequence[str], *, recursive: bool) -> Iterator[str]:
        """Files named directly, and the image files in named folders (their subfolders too when
        `recursive`), each once, in a stable order; streamed, never collected."""
        raise NotImplementedError

    @abstractmethod
    def read(self, path: str) -> ImageFile:
        """The file's hash, size, time, format, pixel size and text metadata; UnreadableImageError
        when it cannot be read, is not an image Pillow knows, or is corrupt."""
        raise NotImplementedError
