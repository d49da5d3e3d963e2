"""The streaming reader: plan lookups equal a full filter, with or without the plan index; defects
are reported as the full reader reports them; records carry a checksum that readers verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from stablenew.adapters.records import JsonlRecordSource, LearningRecordWriter, read_records
from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.adapters.records.plan_index import index_path_for
from tests.fakes import MemoryRecordSink
from tests.learning.records_helpers import record
from tests.records.log_helpers import lines_of_plans, plan_record, write_log


def _ids(records: object) -> list[str]:
    return [r.run_id for r in records]  # type: ignore[attr-defined]


@pytest.mark.parametrize("use_index", [True, False])
def test_a_plan_lookup_returns_exactly_the_plan_records_in_log_order(tmp_path: Path, use_index: bool) -> None:
    path = write_log(tmp_path / "log.jsonl", lines_of_plans(60, plans=4))
    everything = read_records(path).records
    source = JsonlRecordSource(path, use_index=use_index)
    for plan in range(4):
        plan_id = f"plan-{plan:04d}"
        expected = [r.run_id for r in everything if r.learning and r.learning["plan_id"] == plan_id]
        assert _ids(source.iter_records(plan_id)) == expected and expected
    assert _ids(source.iter_records("plan-none")) == []
    assert _ids(source.iter_records()) == _ids(everything)


def test_the_same_records_and_defects_with_and_without_the_index(tmp_path: Path) -> None:
    lines = lines_of_plans(30, plans=3)
    lines[7] = b"not json at all\n"
    lines[11] = lines[11].replace(b'"step_index":11', b'"step_index":12')  # edited: checksum mismatch
    path = write_log(tmp_path / "log.jsonl", [*lines, encode_record(plan_record("torn", 1, 99))[:50]])
    with_index, without = JsonlRecordSource(path), JsonlRecordSource(path, use_index=False)
    for plan_id in ("plan-0000", "plan-0001", "plan-0002"):
        indexed, scanned = with_index.scan(plan_id), without.scan(plan_id)
        assert _ids(indexed) == _ids(scanned)
        assert [d.line_number for d in indexed.health.corrupt] == [8, 12]
        assert indexed.health.corrupt == scanned.health.corrupt
        assert indexed.health.torn_tail == scanned.health.torn_tail
        assert indexed.health.torn_tail is not None and indexed.health.torn_tail.line_number == 31
    assert "checksum mismatch" in with_index.health().corrupt[1].reason
    assert index_path_for(path).exists()


def test_the_index_is_rebuilt_when_deleted_damaged_stale_or_from_another_log(tmp_path: Path) -> None:
    path = write_log(tmp_path / "log.jsonl", lines_of_plans(20, plans=2))
    index = index_path_for(path)
    source = JsonlRecordSource(path)
    expected = _ids(source.iter_records("plan-0001"))
    assert len(expected) == 8 and index.exists()
    index.unlink()  # deleted
    assert _ids(source.iter_records("plan-0001")) == expected
    index.write_bytes(b"this is not a database" * 100)  # damaged
    assert _ids(source.iter_records("plan-0001")) == expected
    with path.open("ab") as handle:  # stale: the log grew after the index was made
        handle.write(encode_record(plan_record("later", 1, 50)))
    assert _ids(source.iter_records("plan-0001")) == [*expected, "later"]
    other = write_log(tmp_path / "other.jsonl", lines_of_plans(40, plans=2)[20:])
    JsonlRecordSource(other).health()
    index_path_for(other).replace(index)  # foreign: the index of another log
    assert _ids(source.iter_records("plan-0001")) == [*expected, "later"]
    write_log(path, lines_of_plans(10, plans=2))  # the log itself replaced by a shorter one
    assert _ids(source.iter_records("plan-0001")) == ["run-1", "run-3", "run-5", "run-7"]


def test_a_log_cut_back_and_rewritten_after_indexing_is_reindexed(tmp_path: Path) -> None:
    lines = lines_of_plans(10, plans=1)
    path = write_log(tmp_path / "log.jsonl", lines)
    source = JsonlRecordSource(path)
    assert len(_ids(source.iter_records("plan-0000"))) == 8
    write_log(path, [*lines[:9], encode_record(plan_record("replacement", 0, 9))])  # same size or more
    assert _ids(source.iter_records("plan-0000"))[-1] == "replacement"


def test_an_index_that_cannot_be_written_falls_back_to_scanning(tmp_path: Path) -> None:
    path = write_log(tmp_path / "log.jsonl", lines_of_plans(10, plans=2))
    index_path_for(path).mkdir()  # a folder where the index would go: not a database, not removable
    assert _ids(JsonlRecordSource(path).iter_records("plan-0000")) == ["run-0", "run-2", "run-6", "run-8"]


def test_a_missing_log_has_no_records_and_makes_no_index(tmp_path: Path) -> None:
    source = JsonlRecordSource(tmp_path / "absent.jsonl")
    assert list(source.iter_records("plan-0000")) == [] and source.health().clean
    assert not index_path_for(tmp_path / "absent.jsonl").exists()


def test_records_carry_a_checksum_and_a_changed_byte_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    writer = LearningRecordWriter(path)
    writer.append_record(record("run-1"))
    writer.append_record(record("run-2"))
    raw = path.read_bytes()
    assert raw.split(b"\n")[0].endswith(b'"}') and b',"crc32c":"' in raw
    assert read_records(path).records[0].to_dict() == record("run-1").to_dict()  # the checksum is not data
    path.write_bytes(raw.replace(b"a lighthouse", b"a lighthousE", 1))
    report = read_records(path)
    assert _ids(report.records) == ["run-2"]
    assert report.corrupt[0].line_number == 1 and "checksum mismatch" in report.corrupt[0].reason


def test_old_records_without_a_checksum_still_read(tmp_path: Path) -> None:
    import json

    old = (json.dumps(record("old").to_dict(), separators=(",", ":")) + "\n").encode()
    path = write_log(tmp_path / "log.jsonl", [old, encode_record(record("new"))])
    assert _ids(read_records(path).records) == ["old", "new"]
    assert JsonlRecordSource(path).health().clean


def test_a_checksum_moved_from_its_place_is_corruption(tmp_path: Path) -> None:
    import json

    data = {"crc32c": "00000000", **record("moved").to_dict()}
    path = write_log(tmp_path / "log.jsonl", [(json.dumps(data) + "\n").encode()])
    report = read_records(path)
    assert report.records == () and "not where the writer puts it" in report.corrupt[0].reason


def test_many_corrupt_lines_are_all_counted_but_only_the_first_listed(tmp_path: Path) -> None:
    path = write_log(tmp_path / "log.jsonl", [b"junk\n"] * 1200 + [encode_record(record("ok"))])
    for source in (JsonlRecordSource(path), JsonlRecordSource(path, use_index=False)):
        health = source.health()
        assert health.corrupt_count == 1200 and len(health.corrupt) == 1000
        assert health.corrupt_lines_text(3) == "1, 2, 3 and 1197 more"


def test_an_in_memory_source_filters_by_plan_through_the_port_default() -> None:
    sink = MemoryRecordSink()
    for number in range(6):
        sink.append_record(plan_record(f"r{number}", number % 2, number))
    sink.append_record(record("passive"))
    assert _ids(sink.iter_records("plan-0001")) == ["r1", "r3", "r5"]
    assert len(list(sink.iter_records())) == 7 and sink.health().clean
