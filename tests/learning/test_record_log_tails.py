"""The writer repairs only what a crash of OURS left at the end of the log: an unterminated tail.
Another file's last line is never cut, and a terminated last line is never touched: if it does not
parse it is corruption, which `records check` must still be able to find."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.learning.records_helpers import record
from typer.testing import CliRunner

from stablenew.adapters.records import LearningRecordWriter, read_records
from stablenew.adapters.records.jsonl_reader import decode_line
from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.adapters.records.tail_repair import RECORD_PREFIX
from stablenew.cli import app
from stablenew.domain.records.record import LearningRecord

runner = CliRunner()
FIRST = encode_record(record("run-1"))


def _append(path: Path, run_id: str = "run-new") -> None:
    LearningRecordWriter(path).append_record(record(run_id))


FOREIGN = r"notes.txt is not a StableNew record log \(its last line is not a record\)"


@pytest.mark.parametrize("tail", [b"last line without a newline", b'{"a": 1}', b"\xff\xfe", b"[1, 2"])
def test_a_file_whose_last_line_is_not_ours_is_refused_and_unchanged(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my notes\n" + tail)
    with pytest.raises(OSError, match=FOREIGN):
        _append(path)
    assert path.read_bytes() == b"my notes\n" + tail


def test_stablenew_run_with_records_pointing_at_a_notes_file_changes_nothing(tmp_path: Path) -> None:
    Path("pipe.toml").write_text('prompt = "a cat"\n[txt2img]\nwidth = 64\nheight = 64\n', encoding="utf-8")
    Path("notes.txt").write_bytes(b"first\nsecond, no newline")
    result = runner.invoke(app, ["run", "pipe.toml", "--learning", "--records", "notes.txt"])
    assert result.exit_code == 0, result.output  # a passive run: the record is a warning
    assert "record NOT written: notes.txt is not a StableNew record log" in result.stdout
    assert Path("notes.txt").read_bytes() == b"first\nsecond, no newline"


def test_the_encoded_record_starts_with_the_prefix_the_repair_recognises() -> None:
    data = record().to_dict()
    shuffled = LearningRecord({**{k: v for k, v in data.items() if k != "schema"}, "schema": data["schema"]})
    assert encode_record(shuffled).startswith(RECORD_PREFIX)
    assert decode_line(encode_record(shuffled)[:-1]).to_dict() == data


@pytest.mark.parametrize("torn", [
    FIRST[:10],  # a prefix of the prefix
    encode_record(record("run-2"))[:300],  # a record cut off mid-write
    b"\x00" * 64 + encode_record(record("run-2"))[:80],  # NULs, then the start of a record
    b"\x00" * 17,
])
def test_an_unterminated_crash_artifact_of_ours_is_cut(tmp_path: Path, torn: bytes) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(FIRST + torn)
    _append(path)
    assert path.read_bytes() == FIRST + encode_record(record("run-new"))


@pytest.mark.parametrize("damaged", [
    encode_record(record("run-2"))[:200] + b"\x00" * 40 + b"\n",  # zeroed blocks after a power loss
    b"\x00" * 90 + b"\n",
    encode_record(record("run-2"))[:-30] + b"\n",  # torn, then the newline of a later write
    encode_record(record("run-2")).replace(b'"success":true', b'"success":tru'),  # a damaged byte
])
def test_a_terminated_last_line_that_does_not_parse_is_corruption_the_next_append_keeps(
    tmp_path: Path, damaged: bytes
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(FIRST + damaged)
    before = runner.invoke(app, ["records", "check", str(path)])
    assert before.exit_code == 1 and "1 corrupt, 0 torn" in before.stdout  # only an unterminated tail is torn
    _append(path)
    assert path.read_bytes() == FIRST + damaged + encode_record(record("run-new"))
    report = read_records(path)
    assert [r.run_id for r in report.records] == ["run-1", "run-new"]
    assert [d.line_number for d in report.corrupt] == [2]  # corruption in the middle: records check exits 1


@pytest.mark.parametrize(
    "last", [b"a line that is not ours\n", b"\n", b'{"schema":"stablenew.learning-record/9"}\n']
)
def test_a_terminated_last_line_that_is_not_a_crash_artifact_is_kept(tmp_path: Path, last: bytes) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(FIRST + last)
    _append(path)
    assert path.read_bytes() == FIRST + last + encode_record(record("run-new"))
    report = read_records(path)
    assert [r.run_id for r in report.records] == ["run-1", "run-new"]
    assert [d.line_number for d in report.corrupt] == [2]  # the reader reports it, as it should


@pytest.mark.parametrize("unacknowledged", [
    encode_record(record("run-2"))[:-1],  # a whole record that never got its newline
    b'{"schema":"stablenew.learning-record/2","run_id":"from-a-newer-version"}',
])
def test_an_unterminated_whole_record_was_never_acknowledged_and_is_cut(
    tmp_path: Path, unacknowledged: bytes
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(FIRST + unacknowledged)
    _append(path)
    assert path.read_bytes() == FIRST + encode_record(record("run-new"))


PLAN = """[plan]
name = "short-write"
seed = 9

[[axes]]
stage = "txt2img"
variable = "steps"
values = "2, 3"

[base]
prompt = "a wren"

[base.txt2img]
width = 64
height = 64
"""


def test_a_record_left_without_its_newline_does_not_come_back_as_a_second_copy_after_resume() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    first = runner.invoke(app, ["learn", "run", "plan.toml", "--output", "out", "--no-grid"])
    assert first.exit_code == 0, first.output
    log = Path("out/learning/learning_records.jsonl")
    log.write_bytes(log.read_bytes()[:-1])  # the second step's record lost its newline: a short write
    resumed = runner.invoke(app, ["learn", "resume", "plan.toml", "--output", "out", "--no-grid"])
    assert resumed.exit_code == 0, resumed.output
    assert "1 already done, 1 ran: 1 ok" in resumed.stdout
    keys = [r.learning["step_key"] for r in read_records(log).records]
    assert len(keys) == 2 == len(set(keys))  # each step once
