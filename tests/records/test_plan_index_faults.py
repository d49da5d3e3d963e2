"""The plan index is never an error: a busy, foreign-schema, half-written or older-format index is
done without or rebuilt, and the answer is the same as a scan's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from stablenew.adapters.records import JsonlRecordSource
from stablenew.adapters.records.plan_index import index_path_for
from tests.records.log_helpers import lines_of_plans, write_log

EXPECTED = ["run-0", "run-2", "run-6", "run-8"]


def _ids(source: JsonlRecordSource) -> list[str]:
    return [r.run_id for r in source.iter_records("plan-0000")]


def _log(tmp_path: Path) -> Path:
    return write_log(tmp_path / "log.jsonl", lines_of_plans(10, plans=2))


def test_an_index_another_process_is_updating_is_waited_for_then_done_without(tmp_path: Path) -> None:
    path = _log(tmp_path)
    holder = sqlite3.connect(index_path_for(path), isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert _ids(JsonlRecordSource(path, lock_wait_s=0.05)) == EXPECTED  # scanned instead
        assert index_path_for(path).exists()  # another process's index is never deleted
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _ids(JsonlRecordSource(path)) == EXPECTED


def test_a_database_of_another_shape_is_replaced(tmp_path: Path) -> None:
    path = _log(tmp_path)
    other = sqlite3.connect(index_path_for(path))
    other.execute("CREATE TABLE lines(something_else TEXT)")
    other.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value)")
    other.execute("INSERT INTO meta VALUES ('format', 'stablenew-plan-index/2')")  # meta half written
    other.commit()
    other.close()
    assert _ids(JsonlRecordSource(path)) == EXPECTED
    assert _ids(JsonlRecordSource(path)) == EXPECTED  # and the rebuilt index answers the next time


def test_an_index_of_an_older_format_is_rebuilt_with_the_new_tables(tmp_path: Path) -> None:
    path = _log(tmp_path)
    old = sqlite3.connect(index_path_for(path))
    old.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID")
    old.execute("CREATE TABLE lines(plan TEXT, line INTEGER, PRIMARY KEY (plan, line)) WITHOUT ROWID")
    old.execute("INSERT INTO meta VALUES ('format', 'stablenew-plan-index/1')")
    old.commit()
    old.close()
    assert _ids(JsonlRecordSource(path)) == EXPECTED


def test_meta_that_points_outside_the_log_is_rebuilt(tmp_path: Path) -> None:
    path = _log(tmp_path)
    assert _ids(JsonlRecordSource(path)) == EXPECTED
    db = sqlite3.connect(index_path_for(path))
    db.execute("UPDATE meta SET value = -5 WHERE key = 'last_offset'")
    db.commit()
    db.close()
    assert _ids(JsonlRecordSource(path)) == EXPECTED
