"""Preflight port: before the first image, check that what a run will write can be written."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path


class Preflight(ABC):
    """Checks paths without creating anything; raises InputError (exit 2) naming the first bad one."""

    @abstractmethod
    def check(self, *, logs: Sequence[Path], folders: Sequence[Path]) -> None:
        """Each of `logs` can be opened (or created) for append; each of `folders` is, or can be
        made, a writable folder. Nothing is created or changed."""
        raise NotImplementedError
