"""A cancellation token shared by the executor, the runner and a backend."""

from __future__ import annotations

import threading
from collections.abc import Callable

from stablenew.domain.errors import CancelledError


class CancelToken:
    """Set once to ask running work to stop; callbacks let a backend interrupt a server."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []
        self.reason: str | None = None

    @property
    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._event.is_set()

    def cancel(self, reason: str = "cancelled") -> None:
        """Ask the work to stop and run every registered callback once."""
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run `callback` when cancelled (at once if already); returns a function that unregisters it."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._remove(callback)
        callback()
        return lambda: None

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` (e.g. a retry backoff), ending early with CancelledError when cancelled."""
        if self._event.wait(seconds):
            raise CancelledError(f"{self.reason or 'cancelled'} (while waiting to retry)")

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True when cancelled."""
        return self._event.wait(timeout)

    def _remove(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)
