"""FakeClock: time moves only when told (or by a fixed tick per read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stablenew.domain.ports.clock import Clock


class FakeClock(Clock):
    def __init__(self, start: datetime | None = None, tick_s: float = 0.0) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._mono = 0.0
        self.tick_s = tick_s

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def now(self) -> datetime:
        value = self._now
        self.advance(self.tick_s)
        return value

    def monotonic(self) -> float:
        return self._mono
