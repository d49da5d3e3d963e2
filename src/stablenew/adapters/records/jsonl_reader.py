"""Reading the JSONL record log without a lock: stop at the size seen, report what is bad."""

from __future__ import annotations

import json
from pathlib import Path

from stablenew.domain.errors import InputError
from stablenew.domain.ports.record_sink import LineDefect, RecordReadReport
from stablenew.domain.records.record import LearningRecord


def decode_line(line: bytes) -> LearningRecord:
    """One log line (without its newline) → a LearningRecord; ValueError when it is not one."""
    data = json.loads(line.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return LearningRecord(data)


def read_records(path: Path | str) -> RecordReadReport:
    """Every good record in `path`; a bad or unterminated last line is the torn tail, others corrupt.

    A missing file has no records; one that cannot be read (a directory, no permission) is an
    InputError naming it.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(0)
            blob = handle.read(size)
    except (FileNotFoundError, NotADirectoryError):
        return RecordReadReport()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot be read as a record log ({reason})", source=str(path)) from None
    lines = blob.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    records: list[LearningRecord] = []
    corrupt: list[LineDefect] = []
    torn: LineDefect | None = None
    if tail:
        torn = LineDefect(len(lines) + 1, "unterminated last line (an interrupted write)")
    for number, line in enumerate(lines, start=1):
        try:
            records.append(decode_line(line))
        except (ValueError, UnicodeDecodeError) as exc:
            defect = LineDefect(number, f"not a valid record: {exc}")
            if number == len(lines) and torn is None:
                torn = defect
            else:
                corrupt.append(defect)
    return RecordReadReport(records=tuple(records), torn_tail=torn, corrupt=tuple(corrupt))
