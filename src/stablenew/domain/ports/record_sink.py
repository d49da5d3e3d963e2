"""Record ports: a sink that appends records and a source that reads them back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from stablenew.domain.ports.record_scan import LineDefect, LogHealth, RecordScan
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.run.cancel import CancelToken

Progress = Callable[[int, int], None]  # (bytes read so far, bytes to read)


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

    def append_records(self, records: Sequence[LearningRecord]) -> None:
        """Append several records, durable together once it returns (this default: one by one)."""
        for record in records:
            self.append_record(record)

    def append_record_or_stop(self, record: LearningRecord, cancel: CancelToken | None) -> None:
        """Append like append_record; a sink that has to wait (another process holds the log's lock)
        stops waiting when `cancel` is set meanwhile (CancelledError, nothing written). Default: no wait."""
        self.append_record(record)


class RecordSource(ABC):
    """Reads the records back, tolerating a torn tail and reporting corruption."""

    @abstractmethod
    def read(self) -> RecordReadReport:
        """Every good record in order, with the defects found (holds them all: only when asked for all)."""
        raise NotImplementedError

    def scan(self, plan_id: str | None = None, *, progress: Progress | None = None) -> RecordScan:
        """One streaming pass: good records in log order (only `plan_id`'s when given, found without
        decoding other plans' lines where the source can), and the whole log's defects once exhausted.

        This default serves in-memory sources through read(); a file source streams.
        """
        report = self.read()
        health = LogHealth(torn_tail=report.torn_tail)
        for defect in report.corrupt:
            health.add_corrupt(defect)
        records = report.records if plan_id is None else (r for r in report.records if _plan_of(r) == plan_id)
        return RecordScan(records, health)

    def iter_records(self, plan_id: str | None = None) -> Iterator[LearningRecord]:
        """Good records in log order, only that plan's when `plan_id` is given; memory independent
        of the log's size. Callers that need the defects use scan()."""
        return iter(self.scan(plan_id))

    def health(self) -> LogHealth:
        """The whole log's torn tail and corrupt lines (cheap where the source keeps an index)."""
        return self.scan(plan_id="").finish()


def _plan_of(record: LearningRecord) -> object:
    learning = record.learning
    return learning.get("plan_id") if isinstance(learning, Mapping) else None


class RecordLog(RecordSink, RecordSource, ABC):
    """A log that is both a sink and a source (the JSONL file)."""
