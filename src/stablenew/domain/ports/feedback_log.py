"""Feedback ports: a sink that appends feedback events and a source that reads them back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from stablenew.domain.feedback.events import FeedbackEvent
from stablenew.domain.ports.record_scan import LineDefect


@dataclass(frozen=True, slots=True)
class FeedbackReadReport:
    """Every good event in log order, plus a torn last line and any corrupt lines before it."""

    events: tuple[FeedbackEvent, ...] = ()
    torn_tail: LineDefect | None = None
    corrupt: tuple[LineDefect, ...] = field(default_factory=tuple)

    @property
    def clean(self) -> bool:
        """True when no line before the last is corrupt (a torn last line is what a crash leaves)."""
        return not self.corrupt


class FeedbackSink(ABC):
    """Where feedback events go. An append is durable once it returns."""

    @abstractmethod
    def append_events(self, events: Sequence[FeedbackEvent]) -> None:
        """Append the events in order, durably, as one write; raise OSError when they cannot be."""
        raise NotImplementedError


class FeedbackSource(ABC):
    """Reads feedback events back, tolerating a torn tail and reporting corruption."""

    @abstractmethod
    def read_events(self) -> FeedbackReadReport:
        """Every good event in log order, with the defects found (a missing log has none)."""
        raise NotImplementedError

    @abstractmethod
    def holds_feedback(self) -> bool:
        """True when the log's first line is a feedback event (tells it from a record log)."""
        raise NotImplementedError

    @property
    def location(self) -> str:
        """Where the events are, for messages."""
        return type(self).__name__


class FeedbackLog(FeedbackSink, FeedbackSource, ABC):
    """A feedback log that is both a sink and a source (the JSONL file)."""
