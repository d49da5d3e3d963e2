"""Clock port: the core never reads the time itself."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime


class Clock(ABC):
    """Wall time for timestamps and a monotonic counter for durations."""

    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        raise NotImplementedError

    @abstractmethod
    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going backwards."""
        raise NotImplementedError
