"""A RecordSink that passes records on and remembers the ones written, so nothing re-reads the log."""

from __future__ import annotations

from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.run.cancel import CancelToken


class RememberingSink(RecordSink):
    """Appends through `inner`; `written` holds every record whose append returned (was durable)."""

    def __init__(self, inner: RecordSink) -> None:
        self.inner = inner
        self.written: list[LearningRecord] = []

    def append_record(self, record: LearningRecord) -> None:
        """Append through the inner sink, then remember the record (not when the append raised)."""
        self.inner.append_record(record)
        self.written.append(record)

    def append_record_or_stop(self, record: LearningRecord, cancel: CancelToken | None) -> None:
        """As append_record, passing `cancel` on so a wait for the log's lock can be stopped."""
        self.inner.append_record_or_stop(record, cancel)
        self.written.append(record)
