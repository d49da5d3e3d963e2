"""Ctrl-C and SIGTERM as a cancel request: the running work stops at its next check, the server's job
is interrupted, and what ran is recorded."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from stablenew.domain.run.cancel import CancelToken

INTERRUPT_REASON = "interrupted (Ctrl-C)"
TERMINATE_REASON = "terminated (SIGTERM)"
_REASONS = {signal.SIGINT: INTERRUPT_REASON, signal.SIGTERM: TERMINATE_REASON}


@contextmanager
def sigint_cancels(token: CancelToken) -> Iterator[None]:
    """While inside, the first Ctrl-C or SIGTERM (`kill`, `timeout`, a CI cancel) cancels `token`: the
    running work stops, the server's job is interrupted, what ran is recorded, and the command exits
    non-zero. A second signal of the same kind gets Python's default behaviour."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in _REASONS}

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(signum, previous[signal.Signals(signum)])
        token.cancel(_REASONS[signal.Signals(signum)])

    for signum in _REASONS:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)
