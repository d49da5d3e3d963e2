"""LearningRecordWriter: one locked write() + fsync per record, safe across threads and processes."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from stablenew.adapters.records.checksum import seal
from stablenew.adapters.records.jsonl_reader import read_records
from stablenew.adapters.records.lock_wait import acquire_flock
from stablenew.adapters.records.tail_repair import (
    CUT,
    RECORD_LINES,
    ForeignLogError,
    LineKind,
    last_line,
    tail_action,
)
from stablenew.domain.ports.record_sink import RecordLog, RecordReadReport
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.run.cancel import CancelToken

log = logging.getLogger("stablenew.records")


def encode_record(record: LearningRecord) -> bytes:
    """The record as one UTF-8 JSON line ending in a newline."""
    data = record.to_dict()
    data = {"schema": data["schema"], **data}  # first, so a torn line is recognisably ours
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return seal(text.encode("utf-8")) + b"\n"  # the checksum goes last (see checksum.py)


class LearningRecordWriter(RecordLog):
    """Appends records to a JSONL file; many writers (threads, processes, instances) may share it.

    `lines` says what a line of the log looks like, so another append-only log (the feedback
    events) shares this locking, fsync and torn-tail repair through `append_line`.
    """

    def __init__(
        self, records_path: Path | str, *, lines: LineKind = RECORD_LINES,
        fsync: Callable[[int], None] = os.fsync, write: Callable[[int, bytes], int] = os.write,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(records_path)
        self._lines = lines
        self._on_wait = on_wait or log.warning  # told who holds the lock when an append has to wait
        self._fsync, self._write = fsync, write  # seams: tests inject a failing fsync or a short write
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def append_record(self, record: LearningRecord) -> None:
        """Append one line under an exclusive lock, then flush it to disk (fsync)."""
        self.append_line(encode_record(record))

    def append_records(self, records: Sequence[LearningRecord]) -> None:
        """Append many lines with one locked write() and one fsync (a bulk import's batch)."""
        if records:
            self.append_line(b"".join(encode_record(record) for record in records))

    def append_record_or_stop(self, record: LearningRecord, cancel: CancelToken | None) -> None:
        """As append_record; a wait for another process's lock stops when `cancel` is set meanwhile."""
        self.append_line(encode_record(record), cancel=cancel)

    def append_line(self, line: bytes, *, cancel: CancelToken | None = None) -> None:
        """Append one already-encoded, newline-terminated line durably, or leave the log as it was.

        When the write or the fsync fails (or anything interrupts them), the file is cut back to its
        size before the append, still under the lock: a record the caller was told is NOT written is
        not in the log either, so a resumed plan runs its step again.
        """
        with self._lock:
            fd = self._open()
            acquire_flock(fd, what=f"the record log {self.path}", cancel=cancel, on_wait=self._on_wait)
            try:
                self._repair_torn_tail(fd)
                before = os.fstat(fd).st_size
                try:
                    written = self._write(fd, line)
                    while written < len(line):  # a short write (a signal, a nearly full disk): go on
                        written += self._write(fd, line[written:])
                    self._fsync(fd)
                except BaseException:
                    self._cut_back(fd, before)
                    raise
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def read(self) -> RecordReadReport:
        """Every good record written so far (see read_records)."""
        return read_records(self.path)

    def close(self) -> None:
        """Close the file; a later append reopens it."""
        with self._lock:
            self._close()

    def _open(self) -> int:
        if self._fd is not None and self._pid != os.getpid():
            # A forked child shares the parent's open file description, and flock() would not
            # exclude the two: the child drops its copy and opens its own.
            os.close(self._fd)
            self._fd = None
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._pid = os.getpid()
            if created:  # make the new directory entry durable too
                _fsync_dir(self.path.parent)
        return self._fd

    def _repair_torn_tail(self, fd: int) -> None:
        """Under the lock: repair what a crash of ours left at the end (see tail_repair.tail_action).

        An unterminated last line of ours (a torn write, NUL bytes after a power loss, a record that
        never got its newline) was never acknowledged: it is cut, so the next record starts on a line
        of its own and a re-run step is not recorded twice. A terminated line is never touched: if it
        does not parse it is corruption for `records check` to report. A file whose unterminated last
        line is not ours is not a record log: nothing is written (OSError).
        """
        size = os.fstat(fd).st_size
        if size == 0:
            return
        offset, line, terminated = last_line(fd, size)
        try:
            action = tail_action(line, terminated, self._lines)
        except ForeignLogError as exc:
            raise ForeignLogError(f"{self.path} {exc}") from None
        if action == CUT:
            os.ftruncate(fd, offset)
            log.warning("%s: cut a torn last line of %d bytes at offset %d (an interrupted write)",
                        self.path, size - offset, offset)

    def _cut_back(self, fd: int, size: int) -> None:
        """Truncate to `size` after a failed append (best effort: the append's own error is raised)."""
        try:
            os.ftruncate(fd, size)
        except OSError as exc:
            log.error("%s: could not remove a record that was NOT written (%s)", self.path, exc)
            return
        try:
            self._fsync(fd)
        except OSError:  # the disk already failed this append; the cut stands for every reader now
            log.debug("%s: fsync after cutting back failed", self.path, exc_info=True)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            self._close()


def _fsync_dir(directory: Path) -> None:
    """fsync a directory so a newly created file's entry survives a crash."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
