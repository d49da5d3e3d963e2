"""SystemClock: the Clock port on the real clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from stablenew.domain.ports.clock import Clock


class SystemClock(Clock):
    """UTC wall time and time.monotonic()."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()
