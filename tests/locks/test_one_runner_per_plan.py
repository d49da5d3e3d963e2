"""One plan, one runner: real processes. A second `learn run`/`resume` of a plan that is running on
the same log is refused at once (exit 2, naming the plan, the log and the holder); a SIGKILLed holder
never blocks; two plans, or one plan on two logs, run side by side. The first runner is stopped
(SIGSTOP) after its first record so that it is still mid-plan, holding its lock, whatever the speed."""

from __future__ import annotations

import collections
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stablenew.adapters.records import FilePlanLocks, read_records
from stablenew.adapters.records.plan_lock import lock_path
from stablenew.domain.errors import InputError, PlanBusyError

PLAN = """[plan]
name = "{name}"
seed = 11

[[axes]]
stage = "txt2img"
variable = "steps"
values = "20-140 [40]"

[base]
prompt = "a lighthouse in a storm"

[base.txt2img]
width = 640
height = 640
"""
RECORDS = Path("out/learning/learning_records.jsonl")


def _plan(name: str = "busy-sweep", file: str = "plan.toml") -> str:
    Path(file).write_text(PLAN.format(name=name), encoding="utf-8")
    return file


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "stablenew", "learn", *args, "--output", "out", "--no-grid"]


def _start_and_wait_for_a_record(plan: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(_cli("run", plan), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not read_records(RECORDS).records:
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "the first runner wrote no record in time"
        time.sleep(0.005)
    _stop_between_appends(process)
    return process


def _stop_between_appends(process: subprocess.Popen[str]) -> None:
    """SIGSTOP the runner mid-plan (it keeps its plan lock until SIGKILLed), but not while it holds
    the record log's append lock, which would hold up every other writer of the log."""
    with RECORDS.open("ab") as log:
        for _ in range(1000):
            process.send_signal(signal.SIGSTOP)
            try:
                fcntl.flock(log.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                process.send_signal(signal.SIGCONT)
                time.sleep(0.001)
                continue
            fcntl.flock(log.fileno(), fcntl.LOCK_UN)
            return
    raise AssertionError("the runner never left the record log's lock")


def test_a_second_runner_is_refused_at_once_and_a_killed_holder_never_blocks() -> None:
    first = _start_and_wait_for_a_record(_plan())
    try:
        for command in ("run", "resume"):
            started = time.monotonic()
            second = subprocess.run(_cli(command, "plan.toml"), capture_output=True, text=True, timeout=60)
            assert second.returncode == 2, second.stdout + second.stderr
            assert second.stdout == ""
            (line,) = second.stderr.splitlines()
            assert line.startswith("error: plan.toml: plan 'busy-sweep' (plan-")
            assert " is already running on " in line
            assert str(RECORDS) in line and f"PID {first.pid} on {socket.gethostname()} since " in line
            assert time.monotonic() - started < 30  # refused, not queued behind 30 steps
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    done = len(read_records(RECORDS).records)
    resumed = subprocess.run(_cli("resume", "plan.toml", "--max-steps", "1"), capture_output=True, text=True,
                             timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr  # the dead holder's lock died with it
    records = read_records(RECORDS).records
    assert len(records) == done + 1
    counts = collections.Counter(r.learning["step_key"] for r in records)
    assert set(counts.values()) == {1}


def test_another_plan_or_the_same_plan_on_another_log_is_not_blocked() -> None:
    first = _start_and_wait_for_a_record(_plan())
    try:
        other = subprocess.run(_cli("run", _plan("other-sweep", "other.toml"), "--max-steps", "1"),
                               capture_output=True, text=True, timeout=120)
        assert other.returncode == 0, other.stdout + other.stderr
        elsewhere = subprocess.run(_cli("run", "plan.toml", "--max-steps", "1", "--records", "b.jsonl"),
                                   capture_output=True, text=True, timeout=120)
        assert elsewhere.returncode == 0, elsewhere.stdout + elsewhere.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)


def test_the_lock_names_its_holder_while_held_and_nobody_after(tmp_path: Path) -> None:
    locks = FilePlanLocks(tmp_path / "records.jsonl")
    path = lock_path(tmp_path / "records.jsonl", "plan-abc")
    assert path == tmp_path / "records.jsonl.locks" / "plan-abc.lock"
    with locks.hold("plan-abc", "abc"):
        assert f'"pid": {os.getpid()}' in path.read_text()
        busy = rf"plan 'abc' \(plan-abc\) is already running on .*records.jsonl: PID {os.getpid()} on "
        second = FilePlanLocks(tmp_path / "records.jsonl").hold("plan-abc", "abc")
        with pytest.raises(PlanBusyError, match=busy), second:
            pass  # pragma: no cover - never entered
        with FilePlanLocks(tmp_path / "records.jsonl").hold("plan-other", "other"):
            pass
    assert path.read_text() == ""
    with locks.hold("plan-abc", "abc"):  # released: it can be taken again
        pass


def test_a_lock_that_cannot_be_created_is_bad_input_naming_it(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    held = FilePlanLocks(tmp_path / "file" / "records.jsonl").hold("plan-x", "x")
    with pytest.raises(InputError, match=r"plan-x.lock: cannot create the plan lock"), held:
        pass  # pragma: no cover - never entered
