"""The JSONL feedback log: events appended with the record writer's lock, fsync and tail repair."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson

from stablenew.adapters.records.jsonl_writer import LearningRecordWriter
from stablenew.adapters.records.tail_repair import LineKind
from stablenew.domain.errors import InputError
from stablenew.domain.feedback.events import FEEDBACK_SCHEMA, FeedbackEvent, event_from_dict
from stablenew.domain.ports.feedback_log import FeedbackLog, FeedbackReadReport
from stablenew.domain.ports.record_scan import LineDefect

FEEDBACK_PREFIX = ('{"schema":"' + FEEDBACK_SCHEMA.rsplit("/", 1)[0] + "/").encode("utf-8")
_BLOCK = 1024 * 1024


def decode_event(line: bytes) -> FeedbackEvent:
    """One log line (without its newline) → an event; ValueError when it is not one."""
    data = orjson.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return event_from_dict(data)


def is_event(line: bytes) -> bool:
    """True when `line` decodes as a feedback event."""
    try:
        decode_event(line)
    except ValueError:
        return False
    return True


FEEDBACK_LINES = LineKind(FEEDBACK_PREFIX, is_event)


def encode_event(event: FeedbackEvent) -> bytes:
    """The event as one UTF-8 JSON line (schema first) ending in a newline."""
    text = json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8")


def iter_lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes without the newline, terminated?) up to the size seen when opened.

    A missing file has no lines; one that cannot be read is an InputError naming it.
    """
    try:
        handle = path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot be read as a feedback log ({reason})", source=str(path)) from None
    with handle:
        left = handle.seek(0, 2)
        handle.seek(0)
        number, pending = 0, b""
        while left > 0:
            block = handle.read(min(_BLOCK, left))
            if not block:
                break
            left -= len(block)
            *lines, pending = (pending + block).split(b"\n")
            for line in lines:
                number += 1
                yield number, line, True
        if pending:
            yield number + 1, pending, False


def read_events(path: Path | str) -> FeedbackReadReport:
    """Every good event; a bad or unterminated last line is the torn tail, other bad lines corrupt."""
    events: list[FeedbackEvent] = []
    corrupt: list[LineDefect] = []
    last: LineDefect | None = None
    torn: LineDefect | None = None
    for number, line, terminated in iter_lines(Path(path)):
        if last is not None:
            corrupt.append(last)
            last = None
        if not terminated:
            torn = LineDefect(number, "unterminated last line (an interrupted write)")
            break
        try:
            events.append(decode_event(line))
        except (ValueError, UnicodeDecodeError) as exc:
            last = LineDefect(number, f"not a valid feedback event: {exc}")
    if last is not None:  # a bad line that turned out to be the last one
        torn = last
    return FeedbackReadReport(events=tuple(events), torn_tail=torn, corrupt=tuple(corrupt))


def looks_like_feedback(path: Path | str) -> bool:
    """True when the file's first line is a feedback event's (how `records check` tells the logs apart)."""
    for _, line, _ in iter_lines(Path(path)):
        return line.startswith(FEEDBACK_PREFIX)
    return False


class JsonlFeedbackLog(FeedbackLog):
    """Appends events to a JSONL file; many writers (threads, processes, instances) may share it."""

    def __init__(self, feedback_path: Path | str) -> None:
        self.path = Path(feedback_path)
        self._writer = LearningRecordWriter(self.path, lines=FEEDBACK_LINES)

    def append_events(self, events: Sequence[FeedbackEvent]) -> None:
        """All the events in one locked write + fsync. A crash in the middle can leave the first lines
        and a torn last one (which the next append cuts), never a broken line between good ones."""
        if events:
            self._writer.append_line(b"".join(encode_event(event) for event in events))

    def read_events(self) -> FeedbackReadReport:
        """Every good event written so far (see read_events)."""
        return read_events(self.path)

    def holds_feedback(self) -> bool:
        """True when the file's first line is a feedback event's."""
        return looks_like_feedback(self.path)

    @property
    def location(self) -> str:
        """The file's path."""
        return str(self.path)

    def close(self) -> None:
        """Close the file; a later append reopens it."""
        self._writer.close()
