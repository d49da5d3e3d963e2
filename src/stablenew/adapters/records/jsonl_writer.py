"""LearningRecordWriter: one locked write() + fsync per record, safe across threads and processes."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from pathlib import Path

from stablenew.adapters.records.jsonl_reader import read_records
from stablenew.domain.ports.record_sink import RecordLog, RecordReadReport
from stablenew.domain.record import LearningRecord


def encode_record(record: LearningRecord) -> bytes:
    """The record as one UTF-8 JSON line ending in a newline."""
    text = json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8")


class LearningRecordWriter(RecordLog):
    """Appends records to a JSONL file; many writers (threads, processes, instances) may share it."""

    def __init__(self, records_path: Path | str) -> None:
        self.path = Path(records_path)
        self._lock = threading.Lock()
        self._fd: int | None = None

    def append_record(self, record: LearningRecord) -> None:
        """Append one line under an exclusive lock, then flush it to disk (fsync)."""
        self.append_line(encode_record(record))

    def append_line(self, line: bytes) -> None:
        """Append one already-encoded, newline-terminated line durably."""
        with self._lock:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                written = os.write(fd, line)
                while written < len(line):  # only on a signal-interrupted huge write; still under the lock
                    written += os.write(fd, line[written:])
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def read(self) -> RecordReadReport:
        """Every good record written so far (see read_records)."""
        return read_records(self.path)

    def close(self) -> None:
        """Close the file; a later append reopens it."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        return self._fd

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)  # type: ignore[arg-type]
