"""The seed's builder and writer tests, plus the log's guarantees under threads, processes and crashes."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from pathlib import Path

import pytest
from tests.learning.records_helpers import T0, four_stage_config, record, run_result

from stablenew.adapters.records import LearningRecordWriter, read_records
from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.record import RECORD_SCHEMA, RUN_TYPE_LEARNING, LearningContext, LearningRecord

PROCESSES, APPENDS = 4, 500


def test_learning_record_builder_basic_roundtrip(tmp_path: Path) -> None:
    config = four_stage_config()
    result = run_result(config, run_id="run-42", seed=777)
    built = build_learning_record(config, result)
    assert built.to_dict()["schema"] == RECORD_SCHEMA
    assert built.run_id == "run-42"
    assert built.timestamp == T0.isoformat()
    assert built.success is True and built.error is None and built.run_type == "single"
    assert (built.prompt_pack, built.prompt_id) == ("coast", "lighthouse-01")
    assert built.stages == ["txt2img", "img2img", "adetailer", "upscale"]
    assert built.config["txt2img"]["seed"] == 777  # -1 replaced by the seed really used
    assert built.config["img2img"]["cfg_scale"] == 7.0  # inherited from txt2img
    assert built.requested_config["txt2img"]["seed"] == -1
    assert built.stage_summary["upscale"] == {"duration_s": 0.5, "outcome": "success", "images": 1}
    assert built.outputs["img2img"] == ["output/runs/run-42/02-img2img-000.png"]
    assert built.images == ["output/runs/run-42/04-upscale-000.png"]
    assert built.learning is None
    writer = LearningRecordWriter(tmp_path / "records.jsonl")
    writer.append_record(built)
    (back,) = writer.read().records
    assert back.to_dict() == built.to_dict()


def test_learning_record_writer_appends_jsonl_lines(tmp_path: Path) -> None:
    path = tmp_path / "learning" / "learning_records.jsonl"  # the directory is created on demand
    writer = LearningRecordWriter(path)
    for number in range(3):
        writer.append_record(record(f"run-{number}"))
    writer.close()
    again = LearningRecordWriter(path)  # a second instance goes on appending
    again.append_record(record("run-3"))
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 5
    parsed = [json.loads(line) for line in lines[:-1]]
    assert [item["run_id"] for item in parsed] == ["run-0", "run-1", "run-2", "run-3"]
    assert all(item["schema"] == RECORD_SCHEMA for item in parsed)
    report = read_records(path)
    assert report.clean and report.torn_tail is None and len(report.records) == 4


def test_learning_context_is_recorded() -> None:
    context = LearningContext(
        plan_id="p1", plan_name="cfg sweep", step_key="k", step_index=2, variables={"txt2img.cfg_scale": 6.0}
    )
    built = record(context=context)
    assert built.run_type == RUN_TYPE_LEARNING
    assert built.learning["plan_id"] == "p1" and built.learning["variables"] == {"txt2img.cfg_scale": 6.0}


def test_encoded_record_is_one_line_even_with_newlines_and_unicode() -> None:
    data = {**record().to_dict(), "prompt": "line one\nline two — ünïcode"}
    line = encode_record(LearningRecord(data))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line)["prompt"] == "line one\nline two — ünïcode"


def test_a_value_json_cannot_hold_raises_before_anything_is_written(tmp_path: Path) -> None:
    writer = LearningRecordWriter(tmp_path / "r.jsonl")
    with pytest.raises(ValueError):
        writer.append_record(LearningRecord({**record().to_dict(), "metadata": {"x": float("nan")}}))
    assert not (tmp_path / "r.jsonl").exists() or (tmp_path / "r.jsonl").read_bytes() == b""


def test_threads_and_instances_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    shared = LearningRecordWriter(path)

    def work(name: str) -> None:
        own = LearningRecordWriter(path)
        for number in range(50):
            (shared if number % 2 else own).append_record(record(f"{name}-{number}"))
        own.close()

    threads = [threading.Thread(target=work, args=(f"t{index}",)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = read_records(path)
    assert report.clean and report.torn_tail is None
    assert sorted(r.run_id for r in report.records) == sorted(
        f"t{i}-{n}" for i in range(6) for n in range(50)
    )


def _append_many(path: str, name: str, count: int) -> None:
    writer = LearningRecordWriter(path)
    for number in range(count):
        writer.append_record(record(f"{name}-{number}"))


def test_four_processes_append_500_records_each_without_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_append_many, args=(str(path), f"p{i}", APPENDS)) for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    lines = path.read_bytes().split(b"\n")
    assert lines.pop() == b""
    assert len(lines) == PROCESSES * APPENDS
    run_ids = [json.loads(line)["run_id"] for line in lines]  # every line is valid JSON on its own
    assert sorted(run_ids) == sorted(f"p{i}-{n}" for i in range(PROCESSES) for n in range(APPENDS))
    for index in range(PROCESSES):  # each process's records keep their order
        own = [int(r.split("-")[1]) for r in run_ids if r.startswith(f"p{index}-")]
        assert own == list(range(APPENDS))
    report = read_records(path)
    assert report.clean and report.torn_tail is None and len(report.records) == PROCESSES * APPENDS


def test_a_writer_used_before_fork_opens_its_own_file_in_the_child(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    writer = LearningRecordWriter(path)
    writer.append_record(record("parent-0"))  # the parent's descriptor is open now
    context = multiprocessing.get_context("fork")

    def child(name: str) -> None:
        for number in range(100):
            writer.append_record(record(f"{name}-{number}"))

    workers = [context.Process(target=child, args=(f"c{i}",)) for i in range(2)]
    for worker in workers:
        worker.start()
    for number in range(1, 100):
        writer.append_record(record(f"parent-{number}"))
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    report = read_records(path)
    assert report.clean and len(report.records) == 300


def test_reader_skips_and_reports_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    good = encode_record(record("run-1")) + encode_record(record("run-2"))
    path.write_bytes(good + encode_record(record("run-3"))[:57])  # a crash in the middle of a write
    report = read_records(path)
    assert [r.run_id for r in report.records] == ["run-1", "run-2"]
    assert report.torn_tail is not None and report.torn_tail.line_number == 3
    assert "unterminated" in report.torn_tail.reason
    assert report.clean and report.corrupt == ()


def test_reader_reports_an_undecodable_terminated_last_line_as_corrupt(tmp_path: Path) -> None:
    """Only an unterminated tail is what a crash leaves; a complete line that does not parse is damage."""
    path = tmp_path / "records.jsonl"
    path.write_bytes(encode_record(record("run-1")) + b'{"schema": "stablenew.lea\x00\x00\n')
    report = read_records(path)
    assert len(report.records) == 1 and report.torn_tail is None
    assert [d.line_number for d in report.corrupt] == [2] and not report.clean


def test_reader_reports_corruption_in_the_middle_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    lines = [
        encode_record(record("run-1")),
        b"this is not json\n",
        encode_record(record("run-3")),
        b'["a list, not a record"]\n',
        b'{"schema": "something/else", "run_id": "x"}\n',
        b"\xff\xfe not utf-8\n",
        encode_record(record("run-7")),
        b'{"torn',
    ]
    path.write_bytes(b"".join(lines))
    report = read_records(path)
    assert [r.run_id for r in report.records] == ["run-1", "run-3", "run-7"]
    assert [d.line_number for d in report.corrupt] == [2, 4, 5, 6]
    assert "not a JSON object" in report.corrupt[1].reason
    assert report.torn_tail.line_number == 8
    assert not report.clean


def test_reader_of_a_missing_or_empty_log_finds_nothing(tmp_path: Path) -> None:
    assert read_records(tmp_path / "absent.jsonl").records == ()
    (tmp_path / "empty.jsonl").write_bytes(b"")
    report = read_records(tmp_path / "empty.jsonl")
    assert report.records == () and report.clean and report.torn_tail is None


def test_appending_after_a_crash_cuts_the_torn_tail_so_the_new_record_survives(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "records.jsonl"
    first = encode_record(record("run-1"))
    path.write_bytes(first + encode_record(record("run-2"))[:100])
    LearningRecordWriter(path).append_record(record("run-3"))
    assert path.read_bytes() == first + encode_record(record("run-3"))
    report = read_records(path)
    assert [r.run_id for r in report.records] == ["run-1", "run-3"] and report.torn_tail is None
    assert "cut a torn last line of 100 bytes" in caplog.text


def test_a_torn_tail_without_any_newline_is_cut_to_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"\x00" * 70_000)  # a power loss can leave NUL bytes; longer than one read block
    LearningRecordWriter(path).append_record(record("run-1"))
    assert path.read_bytes() == encode_record(record("run-1"))


def test_a_whole_record_missing_only_its_newline_was_never_acknowledged_and_is_cut(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(encode_record(record("run-1")) + encode_record(record("run-2"))[:-1])
    LearningRecordWriter(path).append_record(record("run-3"))
    report = read_records(path)
    assert [r.run_id for r in report.records] == ["run-1", "run-3"] and report.clean
    assert "cut a torn last line" in caplog.text


def test_close_then_append_reopens_and_a_write_to_an_unusable_path_raises_oserror(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    writer = LearningRecordWriter(path)
    writer.append_record(record("run-1"))
    writer.close()
    writer.close()  # closing twice is harmless
    writer.append_record(record("run-2"))
    assert len(writer.read().records) == 2
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(OSError):
        LearningRecordWriter(tmp_path / "a-file" / "records.jsonl").append_record(record())
    assert os.path.isfile(tmp_path / "a-file")
