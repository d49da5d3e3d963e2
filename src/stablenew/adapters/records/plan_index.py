"""The plan index beside the log (SQLite): plan id → its lines' offsets, and the corrupt lines.

Derived data, never trusted over the log: every open checks it against the log's bytes (its first
block and the last line it covered), and a missing, stale, foreign or damaged index is rebuilt.
It covers complete (newline-terminated) lines only and grows incrementally from where it stopped.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stablenew.adapters.records.checksum import verify
from stablenew.adapters.records.log_lines import iter_blocks, read_line
from stablenew.adapters.records.record_codec import MISMATCH, line_defect, plan_ids_in
from stablenew.domain.ports.record_scan import MAX_LISTED_DEFECTS, LineDefect

FORMAT = "stablenew-plan-index/2"
SAMPLE = 4096
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS lines(plan BLOB NOT NULL, line INTEGER NOT NULL, offset INTEGER NOT NULL,"
    " length INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS corrupt(line INTEGER PRIMARY KEY, reason TEXT NOT NULL)",
)


@dataclass(frozen=True, slots=True)
class IndexAnswer:
    """What the index says about one plan and the whole log, up to `size` bytes and `lines` lines."""

    size: int
    lines: int
    rows: list[tuple[int, int, int]]  # (line number, offset, length) of the plan's lines
    corrupt_count: int
    corrupt: list[LineDefect]


def index_path_for(log: Path) -> Path:
    """Where a log's index lives: beside it, `<log name>.index`."""
    return log.with_name(log.name + ".index")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PlanIndex:
    """An open index; every method may raise sqlite3.Error (callers then rebuild or do without)."""

    def __init__(self, path: Path, lock_wait_s: float = 30.0) -> None:
        self.path = path
        self._db = sqlite3.connect(path, timeout=lock_wait_s, isolation_level=None)
        self._db.execute("PRAGMA synchronous = OFF")  # derived data: a damaged index is rebuilt
        for statement in _SCHEMA:
            self._db.execute(statement)
        self.size = self.lines = 0

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def refresh(self, handle: BinaryIO, size: int) -> None:
        """Bring the index up to the log's last complete line before `size` (rebuilt when it does not
        match the log); afterwards `size` and `lines` say how far it reaches."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # one updater at a time; others wait, then find it current
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not self._matches(meta, handle, size):
                for statement in ("DROP TABLE lines", "DROP TABLE corrupt", "DELETE FROM meta", *_SCHEMA):
                    db.execute(statement)  # also replaces the tables of an older format
                meta = {}
            if not meta:  # a (re)build: insert in log order, then sort once into the lookup index
                db.execute("DROP INDEX IF EXISTS lines_by_plan")
            self.size, self.lines = int(meta.get("size", 0)), int(meta.get("lines", 0))
            if size > self.size:
                self._extend(handle, size, meta)
            db.execute("CREATE INDEX IF NOT EXISTS lines_by_plan ON lines(plan, line)")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _matches(self, meta: dict[str, object], handle: BinaryIO, size: int) -> bool:
        """Is this index about this log, as it is now (same first block, same last indexed line)?"""
        if meta.get("format") != FORMAT:
            return False
        try:
            indexed, last_offset = int(str(meta["size"])), int(str(meta["last_offset"]))
            head_length = int(str(meta["head_length"]))
        except (KeyError, ValueError):
            return False  # damaged
        if indexed > size or not 0 <= last_offset <= indexed or not 0 <= head_length <= indexed:
            return False  # the log was cut or replaced
        head, last = read_line(handle, 0, head_length), read_line(handle, last_offset, indexed - last_offset)
        return _digest(head) == meta.get("head_digest") and _digest(last) == meta.get("last_digest")

    def _extend(self, handle: BinaryIO, size: int, meta: dict[str, object]) -> None:
        rows: list[tuple[bytes, int, int, int]] = []
        bad: list[tuple[int, str]] = []
        offset, number = self.size, self.lines
        last_offset = int(str(meta.get("last_offset", 0)))
        for lines, terminated in iter_blocks(handle, size, start=self.size):
            if not terminated:
                break
            for line in lines:
                number += 1
                sealed = verify(line)
                reason = line_defect(line) if sealed is None else None if sealed else MISMATCH
                if reason is not None:
                    bad.append((number, reason))
                else:
                    rows.extend((plan, number, offset, len(line)) for plan in set(plan_ids_in(line)))
                last_offset, offset = offset, offset + len(line) + 1
            self._flush(rows, bad)
        self.size, self.lines = offset, number
        head_length = min(SAMPLE, self.size)
        values = {
            "format": FORMAT, "size": self.size, "lines": self.lines, "last_offset": last_offset,
            "head_length": head_length, "head_digest": _digest(read_line(handle, 0, head_length)),
            "last_digest": _digest(read_line(handle, last_offset, self.size - last_offset)),
        }
        self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def _flush(self, rows: list[tuple[bytes, int, int, int]], bad: list[tuple[int, str]]) -> None:
        self._db.executemany("INSERT INTO lines VALUES (?, ?, ?, ?)", rows)
        self._db.executemany("INSERT OR REPLACE INTO corrupt VALUES (?, ?)", bad)
        rows.clear()
        bad.clear()

    def answer(self, spelt_plan_id: bytes) -> IndexAnswer:
        """The plan's lines (every good line naming the plan id, in log order) and the corrupt lines."""
        query = "SELECT line, offset, length FROM lines WHERE plan = ? ORDER BY line"
        rows = self._db.execute(query, (spelt_plan_id,)).fetchall()
        with closing(self._db.execute("SELECT count(*) FROM corrupt")) as cursor:
            count = int(cursor.fetchone()[0])
        query = "SELECT line, reason FROM corrupt ORDER BY line LIMIT ?"
        listed = self._db.execute(query, (MAX_LISTED_DEFECTS,))
        corrupt = [LineDefect(line, f"not a valid record: {reason}") for line, reason in listed.fetchall()]
        return IndexAnswer(self.size, self.lines, rows, count, corrupt)


def damaged(exc: sqlite3.Error) -> bool:
    """A broken or foreign database file (rebuild it), not a busy or unwritable one (do without)."""
    if isinstance(exc, sqlite3.OperationalError):
        return any(sign in str(exc) for sign in ("no such", "malformed", "has no column"))
    return isinstance(exc, sqlite3.DatabaseError)


def index_answer(
    path: Path, handle: BinaryIO, size: int, spelt_plan_id: bytes, lock_wait_s: float = 30.0
) -> IndexAnswer | None:
    """Bring the index at `path` up to the log (`handle`, `size` bytes) and ask it about one plan.

    A damaged index is deleted and rebuilt once; None when no index can be had (a read-only folder,
    another process's update that outlasts `lock_wait_s`): the reader then scans the log instead.
    Never raises sqlite3 errors.
    """
    for _attempt in (1, 2):
        index = None
        try:
            index = PlanIndex(path, lock_wait_s)
            index.refresh(handle, size)
            return index.answer(spelt_plan_id)
        except sqlite3.Error as exc:
            if not damaged(exc):
                return None
        except OSError:
            return None
        finally:
            if index is not None:
                index.close()
        try:
            path.unlink(missing_ok=True)
        except OSError:
            return None
    return None
