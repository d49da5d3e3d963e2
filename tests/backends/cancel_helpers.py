"""Cancelling on an event, not after a fixed delay that a busy machine can outrun."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from stablenew.domain.run.cancel import CancelToken


class CancelWhen(threading.Thread):
    """Cancels `token` once `happened()` is true (polled every 10 ms), e.g. once the test server has
    received the generation request; gives up waiting after `timeout_s` and cancels anyway.
    `cancelled_at` (time.monotonic()) lets a test time what followed the cancel, not the setup."""

    def __init__(self, token: CancelToken, happened: Callable[[], bool], *, reason: str = "cancelled",
                 settle_s: float = 0.05, timeout_s: float = 15.0) -> None:
        super().__init__(daemon=True)
        self.token, self.happened, self.reason = token, happened, reason
        self.settle_s, self.timeout_s = settle_s, timeout_s
        self.cancelled_at: float | None = None
        self.start()

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        while not self.happened() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(self.settle_s)  # the server is now busy with the request
        self.cancelled_at = time.monotonic()
        self.token.cancel(self.reason)

    def seconds_since_cancel(self) -> float:
        """How long ago the cancel happened (after join())."""
        assert self.cancelled_at is not None, "the cancel never happened"
        return time.monotonic() - self.cancelled_at
