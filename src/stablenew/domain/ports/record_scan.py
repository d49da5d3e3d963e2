"""What one pass over the record log finds: the good records, streamed, and the lines that are not."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from stablenew.domain.records.record import LearningRecord

MAX_LISTED_DEFECTS = 1000  # a log damaged on every line is still read in constant memory


@dataclass(frozen=True, slots=True)
class LineDefect:
    """A line of the log that is not a good record."""

    line_number: int
    reason: str


@dataclass(slots=True)
class LogHealth:
    """The defects of the whole log as one pass found them: the torn tail and corrupt lines.

    Filled while a RecordScan is consumed; complete once it is exhausted. Only the first
    MAX_LISTED_DEFECTS corrupt lines are listed; `corrupt_count` counts them all.
    """

    torn_tail: LineDefect | None = None
    corrupt: list[LineDefect] = field(default_factory=list)
    corrupt_count: int = 0
    size: int = 0  # bytes of the log this pass covered

    def add_corrupt(self, defect: LineDefect) -> None:
        """Count a corrupt line, and list it while the list is short."""
        self.corrupt_count += 1
        if len(self.corrupt) < MAX_LISTED_DEFECTS:
            self.corrupt.append(defect)

    @property
    def clean(self) -> bool:
        """True when no complete line is corrupt (an unterminated last line is what a crash leaves)."""
        return self.corrupt_count == 0

    def corrupt_lines_text(self, limit: int = 10) -> str:
        """The corrupt line numbers for a one-line message: `3, 7, 12 and 40 more`."""
        shown = [str(d.line_number) for d in self.corrupt[:limit]]
        more = self.corrupt_count - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


class RecordScan:
    """One pass over the log: iterate it for the good records; `health` is complete once it ends.

    It can be iterated once; the records are produced as the log is read, never held all at once.
    """

    def __init__(self, records: Iterable[LearningRecord], health: LogHealth | None = None) -> None:
        self._records = records
        self.health = health if health is not None else LogHealth()
        self.done = False

    def __iter__(self) -> Iterator[LearningRecord]:
        yield from self._records
        self.done = True

    def finish(self) -> LogHealth:
        """Read whatever is left (records are dropped) and return the log's health."""
        for _ in self:
            pass
        return self.health
