"""FilePlanLocks: one runner per plan on one record log, as flock()ed files beside the log.

`<log>.locks/<plan-id>.lock` is locked with flock(), which the kernel releases when its holder's
process ends in any way (exit, crash, SIGKILL): a dead holder never blocks. While held, the file
names its holder (PID, host, since when) so a refused runner can say who has it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from stablenew.domain.errors import InputError, PlanBusyError
from stablenew.domain.ports.plan_lock import PlanLocks

_HOLDER_READS, _HOLDER_WAIT_S = 10, 0.02  # a holder writes its note right after locking


def lock_path(records_path: Path | str, plan_id: str) -> Path:
    """Where the lock of `plan_id` on the log `records_path` lives."""
    records_path = Path(records_path)
    return records_path.with_name(records_path.name + ".locks") / f"{plan_id}.lock"


def holder_note() -> dict[str, object]:
    """What a holder writes into its lock file."""
    since = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": since}


def describe_holder(fd: int) -> str:
    """'PID 123 on host since …' from a held lock file, or a vaguer line when it names nobody yet."""
    for attempt in range(_HOLDER_READS):
        try:
            note = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
            return f"PID {int(note['pid'])} on {note['host']} since {note['since']}"
        except (ValueError, KeyError, TypeError, OSError):
            if attempt + 1 < _HOLDER_READS:
                time.sleep(_HOLDER_WAIT_S)
    return "another process (it has not said which yet)"


class FilePlanLocks(PlanLocks):
    """The plan locks of one record log."""

    def __init__(self, records_path: Path | str) -> None:
        self.records_path = Path(records_path)

    @contextmanager
    def hold(self, plan_id: str, plan_name: str) -> Iterator[None]:
        """Lock `<log>.locks/<plan_id>.lock` without waiting; PlanBusyError naming the holder if held."""
        path = lock_path(self.records_path, plan_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(f"cannot create the plan lock ({reason})", source=str(path)) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PlanBusyError(
                    f"plan {plan_name!r} ({plan_id}) is already running on {self.records_path}: "
                    f"{describe_holder(fd)} holds {path}; wait for it to finish or stop it"
                ) from None
            note = {**holder_note(), "plan_id": plan_id, "plan_name": plan_name}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(note).encode("utf-8") + b"\n", 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)  # released: the file names nobody
        finally:
            os.close(fd)  # closing releases the flock
