"""Taking an flock() that someone else holds: poll, say who holds it after a short wait, and stop
waiting when the work is cancelled (Ctrl-C) instead of blocking in the kernel where no one can stop it."""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Callable

from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken

NOTICE_AFTER_S = 1.5  # a normal append holds the lock for milliseconds
_FIRST_POLL_S, _MAX_POLL_S = 0.001, 0.05


def flock_holders(fd: int, locks_table: str = "/proc/locks") -> list[int]:
    """PIDs holding an flock() on the file open as `fd`, from Linux's lock table (empty elsewhere)."""
    info = os.fstat(fd)
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    pids: list[int] = []
    try:
        with open(locks_table, encoding="ascii", errors="replace") as table:
            for line in table:  # "1: FLOCK  ADVISORY  WRITE 4242 fe:00:2147025 0 EOF"; waiters show "->"
                parts = line.split()
                if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == device and parts[4].isdigit():
                    pids.append(int(parts[4]))
    except OSError:
        return []
    return [pid for pid in pids if pid != os.getpid()] or pids


def describe_flock_holder(fd: int) -> str:
    """'PID 4242 on host' when the lock table says, else 'another process'."""
    pids = flock_holders(fd)
    if not pids:
        return "another process"
    return f"PID {', '.join(map(str, sorted(set(pids))))} on {socket.gethostname()}"


def acquire_flock(
    fd: int,
    *,
    what: str,
    cancel: CancelToken | None = None,
    on_wait: Callable[[str], None] | None = None,
    notice_after_s: float = NOTICE_AFTER_S,
) -> None:
    """Lock `fd` exclusively. Free: at once. Held: poll; after `notice_after_s` tell `on_wait` who holds
    it; give up with CancelledError when `cancel` is set during the wait (one set before the wait —
    recording a run that was already cancelled — keeps waiting; a second Ctrl-C interrupts the sleep)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    was_cancelled = cancel is not None and cancel.cancelled
    started, poll, told = time.monotonic(), _FIRST_POLL_S, False
    while True:
        if cancel is not None and cancel.cancelled and not was_cancelled:
            raise CancelledError(f"stopped waiting for {what} ({describe_flock_holder(fd)} holds its lock)")
        if not told and time.monotonic() - started >= notice_after_s:
            told = True
            hint = "Ctrl-C again to stop waiting" if was_cancelled else "Ctrl-C to stop"
            if on_wait is not None:
                on_wait(f"waiting for {what}: {describe_flock_holder(fd)} holds its lock ({hint})")
        time.sleep(poll)
        poll = min(poll * 2, _MAX_POLL_S)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            continue
