"""MemoryRecordSink keeps records in a list; FailingRecordSink always raises (OSError by default)."""

from __future__ import annotations

from stablenew.domain.ports.record_sink import RecordLog, RecordReadReport
from stablenew.domain.records.record import LearningRecord


class MemoryRecordSink(RecordLog):
    def __init__(self) -> None:
        self.records: list[LearningRecord] = []

    def append_record(self, record: LearningRecord) -> None:
        self.records.append(record)

    def read(self) -> RecordReadReport:
        return RecordReadReport(records=tuple(self.records))


class FailingRecordSink(RecordLog):
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error or OSError(28, "No space left on device")
        self.attempts = 0

    def append_record(self, record: LearningRecord) -> None:
        self.attempts += 1
        raise self.error

    def read(self) -> RecordReadReport:
        return RecordReadReport()
