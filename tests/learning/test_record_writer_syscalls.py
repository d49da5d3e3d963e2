"""The writer's durability promise, counted through its injected seams: per appended record, one
write() of the whole line (never a partial line for a reader to see) and then one fsync()."""

from __future__ import annotations

import os
from pathlib import Path

from tests.learning.records_helpers import record

from stablenew.adapters.records import LearningRecordWriter


class _Syscalls:
    """Counts every write() and fsync() the writer makes, then does them for real."""

    def __init__(self, *, short_first_write: bool = False) -> None:
        self.calls: list[tuple[str, bytes]] = []
        self.short_first_write = short_first_write

    def write(self, fd: int, data: bytes) -> int:
        if self.short_first_write and not self.calls:
            data = data[: len(data) // 2]  # as a signal or a nearly full disk may cut a write short
        self.calls.append(("write", bytes(data)))
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        self.calls.append(("fsync", b""))
        os.fsync(fd)


def test_each_append_is_one_write_of_the_whole_line_then_one_fsync(tmp_path: Path) -> None:
    path, seen = tmp_path / "records.jsonl", _Syscalls()
    writer = LearningRecordWriter(path, write=seen.write, fsync=seen.fsync)
    for n in range(3):
        writer.append_record(record(f"run-{n}"))

    assert [kind for kind, _ in seen.calls] == ["write", "fsync"] * 3
    lines = path.read_bytes().splitlines(keepends=True)
    assert [data for kind, data in seen.calls if kind == "write"] == lines  # one whole line per write
    assert all(line.endswith(b"\n") for line in lines)
    assert [r.run_id for r in writer.read().records] == ["run-0", "run-1", "run-2"]


def test_a_short_write_is_finished_before_the_single_fsync(tmp_path: Path) -> None:
    path, seen = tmp_path / "records.jsonl", _Syscalls(short_first_write=True)
    LearningRecordWriter(path, write=seen.write, fsync=seen.fsync).append_record(record("run-1"))

    assert [kind for kind, _ in seen.calls] == ["write", "write", "fsync"]
    assert b"".join(data for kind, data in seen.calls if kind == "write") == path.read_bytes()
    assert [r.run_id for r in LearningRecordWriter(path).read().records] == ["run-1"]
