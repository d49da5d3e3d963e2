"""Ctrl-C as a cancel request: the running work stops at its next check and what ran is recorded."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from stablenew.domain.run.cancel import CancelToken

INTERRUPT_REASON = "interrupted (Ctrl-C)"


@contextmanager
def sigint_cancels(token: CancelToken) -> Iterator[None]:
    """While inside, the first Ctrl-C cancels `token` (the running work stops, what ran is recorded);
    a second Ctrl-C gets Python's default behaviour."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, previous)
        token.cancel(INTERRUPT_REASON)

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
