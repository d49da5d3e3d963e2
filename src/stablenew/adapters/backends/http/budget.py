"""A stage's budget for its HTTP calls: cancel token, one deadline over all attempts, retries taken."""

from __future__ import annotations

import threading
import time

from stablenew.domain.run.cancel import CancelToken


class Budget:
    """One stage's share of the HTTP calls: its cancel token, its deadline, and the retries it took.

    Each stage makes its own, so stages running at the same time never count each other's retries.
    `limit_s` is the stage timeout the deadline came from: messages quote it.
    """

    def __init__(self, cancel: CancelToken | None = None, deadline: float | None = None,
                 limit_s: float | None = None) -> None:
        self.cancel = cancel
        self.deadline = deadline  # time.monotonic() by which every call and retry wait must be over
        self.limit_s = limit_s
        self._retried = 0
        self._lock = threading.Lock()

    @classmethod
    def for_stage(cls, cancel: CancelToken | None, timeout_s: float) -> Budget:
        """A budget whose deadline is `timeout_s` from now."""
        return cls(cancel, deadline=time.monotonic() + timeout_s, limit_s=timeout_s)

    @property
    def retried(self) -> int:
        """Retries summed over this stage's calls."""
        with self._lock:
            return self._retried

    def count_retry(self) -> None:
        """One more retry."""
        with self._lock:
            self._retried += 1

    def left_s(self) -> float | None:
        """Seconds until the deadline (negative once it passed), or None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    @property
    def cancelled(self) -> bool:
        """True once the stage's cancel token was set."""
        return self.cancel is not None and self.cancel.cancelled
