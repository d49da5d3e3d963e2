"""Where a recorded image is, seen from the current working directory."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def locate_image(path: str, search_dirs: Sequence[Path]) -> str:
    """The recorded `path` as a path that opens from here.

    Records hold absolute paths, returned as they are. Older records hold paths relative
    to the folder the run was started in: tried from the working directory first (as before), then
    from each of `search_dirs` (the record log's folder and its parents, one of which is usually
    that folder); unchanged when none has it.
    """
    recorded = Path(path)
    if recorded.is_absolute() or recorded.exists():
        return path
    for folder in search_dirs:
        candidate = folder / recorded
        if candidate.exists():
            return str(candidate)
    return path


def log_search_dirs(records_path: Path) -> list[Path]:
    """The record log's folder and each of its parents, absolute: where old relative paths may start."""
    folder = Path(os.path.abspath(records_path)).parent
    return [folder, *folder.parents]
