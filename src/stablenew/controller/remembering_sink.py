"""A RecordSink that passes records on and remembers the ones written, so nothing re-reads the log."""

from __future__ import annotations

from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.record import LearningRecord


class RememberingSink(RecordSink):
    """Appends through `inner`; `written` holds every record whose append returned (was durable)."""

    def __init__(self, inner: RecordSink) -> None:
        self.inner = inner
        self.written: list[LearningRecord] = []

    def append_record(self, record: LearningRecord) -> None:
        """Append through the inner sink, then remember the record (not when the append raised)."""
        self.inner.append_record(record)
        self.written.append(record)
