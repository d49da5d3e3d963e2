"""What a crash can leave at the end of OUR record log, and what to do with it before appending."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from stablenew.adapters.records.jsonl_reader import decode_line
from stablenew.domain.records.record import RECORD_SCHEMA

# Every line the writer produces starts with these bytes (encode_record puts "schema" first).
RECORD_PREFIX = ('{"schema":"' + RECORD_SCHEMA.rsplit("/", 1)[0] + "/").encode("utf-8")
_FIRST_BLOCK, _MAX_BLOCK = 8 * 1024, 1024 * 1024  # a record is a few KiB; read more only when needed
KEEP, CUT = "keep", "cut"


class ForeignLogError(OSError):
    """The file's last line is not a record and no crash of ours can have left it: append nothing."""


def is_record(line: bytes) -> bool:
    """True when `line` (without its newline) decodes as a record."""
    try:
        decode_line(line)
    except ValueError:  # also UnicodeDecodeError and a JSON object that is not a record
        return False
    return True


@dataclass(frozen=True, slots=True)
class LineKind:
    """What the lines of one kind of log look like: the bytes each starts with, and the full check."""

    prefix: bytes
    is_whole: Callable[[bytes], bool]


RECORD_LINES = LineKind(RECORD_PREFIX, is_record)


def is_crash_artifact(line: bytes, prefix: bytes = RECORD_PREFIX) -> bool:
    """NUL bytes only (a power loss), or the start of one of our lines, maybe after NULs (a torn write)."""
    if not line:  # an empty line: we never write one, and no crash leaves one
        return False
    rest = line.lstrip(b"\x00")
    return not rest or rest.startswith(prefix) or prefix.startswith(rest)


def last_line(fd: int, size: int) -> tuple[int, bytes, bool]:
    """(offset, bytes without the newline, terminated?) of the file's last line; size must be > 0."""
    terminated = os.pread(fd, 1, size - 1) == b"\n"
    end = size - 1 if terminated else size
    start, line, block = end, b"", _FIRST_BLOCK
    while start > 0:
        block_end, start = start, max(0, start - block)
        line = os.pread(fd, block_end - start, start) + line
        cut = line.rfind(b"\n")
        if cut >= 0:
            line = line[cut + 1:]
            break
        block = min(block * 2, _MAX_BLOCK)
    return end - len(line), line, terminated


def tail_action(line: bytes, terminated: bool, kind: LineKind = RECORD_LINES) -> str:
    """KEEP the last line or CUT it; ForeignLogError when it is unterminated and not ours.

    A terminated line is always kept: a record, or corruption that `records check` must still find
    (a crash never leaves a newline-terminated line that was not acknowledged, because the newline
    is the last byte of the one write() that is fsynced before an append returns). An unterminated
    line was never acknowledged: a torn write, NULs after a power loss, or even a whole line that
    lost its newline is cut, so that the step it belongs to, run again, leaves one record, not two.
    Anything else unterminated means the file is not a log of ours.
    """
    if terminated:
        return KEEP
    if is_crash_artifact(line, kind.prefix) or kind.is_whole(line):
        return CUT
    raise ForeignLogError("is not a StableNew record log (its last line is not a record)")
