"""`stablenew records check|show`: counts, torn tail vs corruption, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.learning.records_helpers import record
from typer.testing import CliRunner

from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.cli import app

runner = CliRunner()


def _log(*parts: bytes, name: str = "log.jsonl") -> str:
    Path(name).write_bytes(b"".join(parts))
    return name


def test_check_a_clean_log() -> None:
    path = _log(encode_record(record("a")), encode_record(record("b")))
    result = runner.invoke(app, ["records", "check", path])
    assert result.exit_code == 0
    assert result.stdout == "log.jsonl: 2 good records\n0 corrupt, 0 torn\n"


def test_check_a_torn_last_line_only_is_exit_0() -> None:
    path = _log(encode_record(record("a")), encode_record(record("b"))[:40])
    result = runner.invoke(app, ["records", "check", path])
    assert result.exit_code == 0
    assert "1 good records" in result.stdout
    assert "torn last line 2: unterminated last line (an interrupted write)" in result.stdout
    assert "0 corrupt, 1 torn" in result.stdout


def test_check_corruption_before_the_end_is_exit_1_with_line_numbers() -> None:
    path = _log(
        encode_record(record("a")),
        b"garbage\n",
        encode_record(record("c")),
        b"{}\n",
        encode_record(record("e")),
        b'{"x',
    )
    result = runner.invoke(app, ["records", "check", path])
    assert result.exit_code == 1
    out = result.stdout
    assert "3 good records" in out and "corrupt line 2: not a valid record" in out
    assert "corrupt line 4: not a valid record" in out and "torn last line 6" in out
    assert "2 corrupt, 1 torn" in out


def test_check_the_configured_log_and_a_missing_one() -> None:
    Path("app.toml").write_text('[learning]\nrecords_path = "logs/r.jsonl"\n')
    missing = runner.invoke(app, ["records", "check", "--config", "app.toml"])
    assert missing.exit_code == 2 and missing.stderr == "error: logs/r.jsonl: file not found\n"
    Path("logs").mkdir()
    _log(encode_record(record("a")), name="logs/r.jsonl")
    assert runner.invoke(app, ["records", "check", "--config", "app.toml"]).exit_code == 0
    assert runner.invoke(app, ["records", "check", "--records", "logs/r.jsonl"]).exit_code == 0


def test_show_prints_the_record_and_an_unknown_run_is_exit_2() -> None:
    path = _log(encode_record(record("run-a")), encode_record(record("run-b")))
    shown = runner.invoke(app, ["records", "show", "run-b", "--records", path])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["run_id"] == "run-b"
    unknown = runner.invoke(app, ["records", "show", "run-zzz", "--records", path])
    assert unknown.exit_code == 2 and unknown.stderr == "error: log.jsonl: no record with run id 'run-zzz'\n"


def test_check_in_a_real_process(tmp_path: Path) -> None:
    _log(encode_record(record("a")), b"not json\n", encode_record(record("c")))
    corrupt = subprocess.run(
        [sys.executable, "-m", "stablenew", "records", "check", "log.jsonl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert corrupt.returncode == 1 and "corrupt line 2" in corrupt.stdout and corrupt.stderr == ""
    missing = subprocess.run(
        [sys.executable, "-m", "stablenew", "records", "check", "nope.jsonl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2 and missing.stderr == "error: nope.jsonl: file not found\n"


def test_check_shows_a_progress_bar_on_a_terminal_and_the_same_verdict(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = _log(*(encode_record(record(f"r{n}")) for n in range(300)))
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    result = runner.invoke(app, ["records", "check", path])
    assert result.exit_code == 0
    assert "reading" in result.stdout and "log.jsonl: 300 good records" in result.stdout
    assert "0 corrupt, 0 torn" in result.stdout
