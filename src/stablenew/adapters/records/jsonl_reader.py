"""Reading the JSONL record log without a lock, streaming: stop at the size seen, report what is bad."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from stablenew.adapters.records.log_lines import iter_blocks, iter_lines, read_line
from stablenew.adapters.records.plan_index import index_answer, index_path_for
from stablenew.adapters.records.record_codec import (
    decode_line,
    line_defect,
    plan_id_needle,
    record_plan_id,
)
from stablenew.domain.errors import InputError
from stablenew.domain.ports.record_scan import LineDefect, LogHealth, RecordScan
from stablenew.domain.ports.record_sink import Progress, RecordReadReport, RecordSource
from stablenew.domain.records.record import LearningRecord

__all__ = ["JsonlRecordSource", "decode_line", "read_records"]
TORN = "unterminated last line (an interrupted write)"


class JsonlRecordSource(RecordSource):
    """The record log as a stream of records; plan lookups go through the plan index beside it."""

    def __init__(
        self, records_path: Path | str, *, use_index: bool = True, lock_wait_s: float = 30.0
    ) -> None:
        self.path = Path(records_path)
        self.use_index = use_index
        self.lock_wait_s = lock_wait_s  # how long to wait for another process updating the index

    def read(self) -> RecordReadReport:
        """Every good record (all in memory: only for callers that asked for all of them)."""
        scan = self.scan()
        records = tuple(scan)
        health = scan.health
        return RecordReadReport(records=records, torn_tail=health.torn_tail, corrupt=tuple(health.corrupt))

    def scan(self, plan_id: str | None = None, *, progress: Progress | None = None) -> RecordScan:
        """One pass (see RecordSource.scan); a missing file has no records, an unreadable one is an
        InputError naming it (raised here, before any record)."""
        handle = self._open()
        health = LogHealth()
        if handle is None:
            return RecordScan((), health)
        health.size = size = handle.seek(0, 2)
        if plan_id is None:
            return RecordScan(self._all(handle, size, health, progress), health)
        return RecordScan(self._of_plan(handle, size, plan_id, health), health)

    def health(self) -> LogHealth:
        """The whole log's defects, from the index where it can (only new lines are read)."""
        return self.scan(plan_id="").finish()

    def _open(self) -> BinaryIO | None:
        try:
            return self.path.open("rb")
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(f"cannot be read as a record log ({reason})", source=str(self.path)) from None

    def _all(self, handle: BinaryIO, size: int, health: LogHealth, progress: Progress | None
             ) -> Iterator[LearningRecord]:
        number = 0
        with handle:
            for lines, terminated in iter_blocks(handle, size, progress):
                if not terminated:
                    health.torn_tail = LineDefect(number + 1, TORN)
                    break
                for line in lines:
                    number += 1
                    try:
                        record = decode_line(line)
                    except ValueError as exc:  # also orjson's JSONDecodeError (bad JSON or UTF-8)
                        health.add_corrupt(LineDefect(number, f"not a valid record: {exc}"))
                        continue
                    yield record

    def _of_plan(self, handle: BinaryIO, size: int, plan_id: str, health: LogHealth
                 ) -> Iterator[LearningRecord]:
        with handle:
            spelt = plan_id_needle(plan_id)
            answer = None
            if self.use_index:
                answer = index_answer(index_path_for(self.path), handle, size, spelt, self.lock_wait_s)
            if answer is None:
                yield from self._filtered(handle, size, plan_id, health)
                return
            for defect in answer.corrupt:
                health.add_corrupt(defect)
            health.corrupt_count = answer.corrupt_count
            for number, offset, length in answer.rows:
                record = self._decode(number, read_line(handle, offset, length), health)
                if record is not None and record_plan_id(record) == plan_id:
                    yield record
            for number, _, _, _ in iter_lines(handle, answer.size, size, answer.lines + 1):
                health.torn_tail = LineDefect(number, TORN)  # the index covers every complete line

    def _filtered(self, handle: BinaryIO, size: int, plan_id: str, health: LogHealth
                  ) -> Iterator[LearningRecord]:
        """Without an index: decode only the lines whose bytes name the plan; check the others' checksums."""
        needle = b'"plan_id":"' + plan_id_needle(plan_id) + b'"'
        for number, _, line, terminated in iter_lines(handle, 0, size):
            if not terminated:
                health.torn_tail = LineDefect(number, TORN)
            elif needle in line:
                record = self._decode(number, line, health)
                if record is not None and record_plan_id(record) == plan_id:
                    yield record
            else:
                reason = line_defect(line)
                if reason is not None:
                    health.add_corrupt(LineDefect(number, f"not a valid record: {reason}"))

    @staticmethod
    def _decode(number: int, line: bytes, health: LogHealth) -> LearningRecord | None:
        try:
            return decode_line(line)
        except ValueError as exc:
            health.add_corrupt(LineDefect(number, f"not a valid record: {exc}"))
            return None


def read_records(path: Path | str) -> RecordReadReport:
    """Every good record in `path` (see JsonlRecordSource.read); an unterminated last line is the
    torn tail, every complete line that is not a good record is corrupt."""
    return JsonlRecordSource(path, use_index=False).read()
