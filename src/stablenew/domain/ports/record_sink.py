"""Record ports: a sink that appends records and a source that reads them back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field

from stablenew.domain.records.record import LearningRecord


@dataclass(frozen=True, slots=True)
class LineDefect:
    """A line of the log that is not a good record."""

    line_number: int
    reason: str


@dataclass(frozen=True, slots=True)
class RecordReadReport:
    """Every good record, plus the defects found: a torn tail and any corrupt lines before it."""

    records: tuple[LearningRecord, ...] = ()
    torn_tail: LineDefect | None = None
    corrupt: tuple[LineDefect, ...] = field(default_factory=tuple)

    @property
    def clean(self) -> bool:
        """True when no line before the last is corrupt (a torn last line is what a crash leaves)."""
        return not self.corrupt


class RecordSink(ABC):
    """Where records go. An append is durable once it returns."""

    @abstractmethod
    def append_record(self, record: LearningRecord) -> None:
        """Append one record; raise OSError when it cannot be written."""
        raise NotImplementedError


class RecordSource(ABC):
    """Reads the records back, tolerating a torn tail and reporting corruption."""

    @abstractmethod
    def read(self) -> RecordReadReport:
        """Every good record in order, with the defects found."""
        raise NotImplementedError

    def iter_records(self, plan_id: str | None = None) -> Iterator[LearningRecord]:
        """The good records in log order (only `plan_id`'s when given). This default reads them all;
        a streaming source overrides it so memory does not grow with the log."""
        for record in self.read().records:
            learning = record.learning
            if plan_id is None or (learning is not None and learning.get("plan_id") == plan_id):
                yield record


class RecordLog(RecordSink, RecordSource, ABC):
    """A log that is both a sink and a source (the JSONL file)."""
