"""FilePreflight: can the record logs be appended to and the output folder be written? Asked before
the first image, so a bad path is one exit-2 line with nothing generated, not a failure per step."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from stablenew.domain.errors import InputError
from stablenew.domain.ports.preflight import Preflight


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symlink loop"
    if exc.errno == errno.ENOTDIR:
        return "is under a regular file, not a folder"
    return f"cannot be used ({exc.strerror or exc})"


def _stat(path: Path, what: str) -> os.stat_result | None:
    """stat() following links: None when nothing is there; InputError for a loop or a file in the way."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(f"{what} is a symlink to a missing place", source=str(path)) from None
        return None
    except OSError as exc:
        raise InputError(f"{what} {_reason(exc)}", source=str(path)) from None


def _creatable(path: Path, what: str) -> None:
    """`path` does not exist: its nearest existing ancestor must be a folder we may write in."""
    parent = path.parent
    while True:
        info = _stat(parent, what)
        if info is not None:
            break
        if parent == parent.parent:
            return
        parent = parent.parent
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{what} cannot be created: {parent} is a file, not a folder", source=str(path))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{what} cannot be created: {parent} is not writable", source=str(path))


def check_log(path: Path, what: str = "record log") -> None:
    """A file that exists opens for append; one that does not can be created."""
    info = _stat(path, what)
    if info is None:
        _creatable(path, what)
        return
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"cannot be read as a {what} (Is a directory)", source=str(path))
    try:  # O_NONBLOCK: a FIFO without a reader must not hang the check
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"{what} cannot be opened for append ({reason})", source=str(path)) from None


def check_folder(path: Path, what: str = "output folder") -> None:
    """A folder that exists is writable; one that does not can be created."""
    info = _stat(path, what)
    if info is None:
        _creatable(path, what)
        return
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{what} is a file, not a folder", source=str(path))
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(f"{what} is not writable", source=str(path))


class FilePreflight(Preflight):
    """The file-system checks of a run's record logs and output folder."""

    def check(self, *, logs: Sequence[Path], folders: Sequence[Path]) -> None:
        """InputError naming the first log or folder that cannot be written; nothing is created."""
        for log in logs:
            check_log(Path(log))
        for folder in folders:
            check_folder(Path(folder))
