"""Streaming the record log's lines in blocks: constant memory, whatever the file's size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

BLOCK = 1 << 20
LogLine = tuple[int, int, bytes, bool]  # (line number, byte offset, bytes without "\n", terminated?)


def iter_lines(
    handle: BinaryIO,
    start: int,
    end: int,
    first_number: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[LogLine]:
    """The lines between byte offsets `start` (a line start) and `end`; the last may be unterminated.

    Stops early when the file turns out shorter than `end` (it was cut while being read).
    """
    handle.seek(start)
    offset, number, carry = start, first_number, b""
    remaining = end - start
    while remaining > 0:
        chunk = handle.read(min(BLOCK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        lines = (carry + chunk if carry else chunk).split(b"\n")
        carry = lines.pop()
        for line in lines:
            yield number, offset, line, True
            offset += len(line) + 1
            number += 1
        if progress is not None:
            progress(end - remaining, end)
    if carry:
        yield number, offset, carry, False


def iter_blocks(
    handle: BinaryIO, end: int, progress: Callable[[int, int], None] | None = None, start: int = 0
) -> Iterator[tuple[list[bytes], bool]]:
    """The file from `start` (a line start) up to `end` as lists of lines (without newlines), one list
    per block read; `True` beside a list of complete lines, `False` beside the unterminated rest, if
    any, at the end. The fast path of full scans: no offsets, no tuple per line."""
    handle.seek(start)
    carry, remaining = b"", end - start
    while remaining > 0:
        chunk = handle.read(min(BLOCK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        lines = (carry + chunk if carry else chunk).split(b"\n")
        carry = lines.pop()
        yield lines, True
        if progress is not None:
            progress(end - remaining, end)
    if carry:
        yield [carry], False


def read_line(handle: BinaryIO, offset: int, length: int) -> bytes:
    """The `length` bytes of one line at `offset` (without its newline)."""
    handle.seek(offset)
    return handle.read(length)
