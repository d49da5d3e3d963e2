"""Waiting for the record log's lock says so: after a short wait the writer names the process that
holds it; Ctrl-C stops the wait at once and nothing is written (real processes hold the lock)."""

from __future__ import annotations

import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stablenew.adapters.records import LearningRecordWriter, read_records
from stablenew.adapters.records.lock_wait import flock_holders
from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from tests.learning.records_helpers import record

HOLDER = """
import fcntl, sys
log = open(sys.argv[1], "ab")
fcntl.flock(log.fileno(), fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.readline()  # hold until the test closes our stdin
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the append lock of records.jsonl until its stdin is closed."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "records.jsonl")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    yield process
    _release(process)


def _release(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def test_an_append_that_waits_names_the_holder_and_goes_on_once_it_is_free(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    told: list[str] = []
    writer = LearningRecordWriter(tmp_path / "records.jsonl", on_wait=told.append)
    threading.Timer(2.5, _release, args=(holder,)).start()
    started = time.monotonic()
    writer.append_record(record("run-1"))
    assert time.monotonic() - started >= 2.0
    assert told == [f"waiting for the record log {tmp_path / 'records.jsonl'}: PID {holder.pid} on "
                    f"{socket.gethostname()} holds its lock (Ctrl-C to stop)"]
    assert [r.run_id for r in read_records(tmp_path / "records.jsonl").records] == ["run-1"]


def test_a_free_lock_is_taken_without_a_word(tmp_path: Path) -> None:
    told: list[str] = []
    LearningRecordWriter(tmp_path / "records.jsonl", on_wait=told.append).append_record(record("run-1"))
    assert told == []


def test_ctrl_c_while_waiting_stops_the_wait_at_once_and_writes_nothing(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    token = CancelToken()
    threading.Timer(0.3, token.cancel, args=("interrupted (Ctrl-C)",)).start()
    started = time.monotonic()
    stopped = rf"stopped waiting for the record log .* \(PID {holder.pid} on "
    with pytest.raises(CancelledError, match=stopped):
        LearningRecordWriter(tmp_path / "records.jsonl").append_record_or_stop(record("run-1"), token)
    assert time.monotonic() - started < 1.5
    assert (tmp_path / "records.jsonl").read_bytes() == b""


def test_the_record_of_an_already_cancelled_run_still_waits_for_the_lock(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    token = CancelToken()
    token.cancel("interrupted (Ctrl-C)")  # the run was cancelled; its record says so and is still wanted
    told: list[str] = []
    threading.Timer(2.0, _release, args=(holder,)).start()
    LearningRecordWriter(tmp_path / "records.jsonl", on_wait=told.append).append_record_or_stop(
        record("run-1"), token
    )
    assert len(read_records(tmp_path / "records.jsonl").records) == 1
    assert told and told[0].endswith("(Ctrl-C again to stop waiting)")


def test_the_lock_table_names_the_holder_and_a_missing_table_names_nobody(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with open(tmp_path / "records.jsonl", "ab") as log:
        assert flock_holders(log.fileno()) == [holder.pid]
        assert flock_holders(log.fileno(), locks_table=str(tmp_path / "no-such-table")) == []


PLAN = """[plan]
name = "waits"
seed = 1

[[axes]]
stage = "txt2img"
variable = "steps"
values = "2, 3"

[base]
prompt = "a moth"

[base.txt2img]
width = 64
height = 64
"""


def _lines(stream: object) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_learn_run_says_who_holds_the_log_and_ctrl_c_gets_out_at_once(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    run = subprocess.Popen(
        [sys.executable, "-m", "stablenew", "learn", "run", "plan.toml", "--records",
         str(tmp_path / "records.jsonl"), "--output", "out", "--no-grid"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    errors = _lines(run.stderr)
    line = errors.get(timeout=120)
    assert f"waiting for the record log {tmp_path / 'records.jsonl'}: PID {holder.pid} on " in line, line
    run.send_signal(signal.SIGINT)
    stdout, _ = run.communicate(timeout=10)  # at once: the holder still holds the lock
    assert run.returncode == 1, stdout
    assert "record NOT written: stopped waiting for the record log" in stdout, stdout
    assert "Resume with: stablenew learn resume plan.toml" in stdout
    assert (tmp_path / "records.jsonl").read_bytes() == b""


def test_stablenew_run_waiting_for_the_log_stops_on_ctrl_c_and_exits_1(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    Path("pipe.toml").write_text('prompt = "a moth"\n[txt2img]\nwidth = 64\nheight = 64\n', encoding="utf-8")
    run = subprocess.Popen(
        [sys.executable, "-m", "stablenew", "run", "pipe.toml", "--learning", "--records",
         str(tmp_path / "records.jsonl"), "--output", "out"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = _lines(run.stderr).get(timeout=120)
    assert f"PID {holder.pid} on " in line and "(Ctrl-C to stop)" in line, line
    run.send_signal(signal.SIGINT)
    stdout, _ = run.communicate(timeout=10)
    assert run.returncode == 1, stdout
    assert "record NOT written: stopped waiting for the record log" in stdout, stdout
