"""Real processes: a plan killed with SIGKILL mid-run resumes with no duplicated and no missing step;
Ctrl-C (SIGINT) stops cleanly, records what ran, says how to resume and exits 1."""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from stablenew.adapters.files import load_plan
from stablenew.adapters.records import read_records
from stablenew.domain.plan.steps import expand_plan

PLAN = """[plan]
name = "killed-sweep"

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "1-20 [5]"

[[axes]]
stage = "txt2img"
variable = "steps"
values = "20-140 [8]"

[base]
prompt = "a lighthouse in a storm"

[base.txt2img]
width = 640
height = 640
"""
RECORDS = Path("out/learning/learning_records.jsonl")


def _start(*args: str) -> subprocess.Popen[str]:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "stablenew", "learn", *args, "plan.toml", "--output", "out", "--no-grid"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait_for_records(process: subprocess.Popen[str], count: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = len(read_records(RECORDS).records)
        if done >= count:
            return done
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.01)
    raise AssertionError("the learning run wrote too few records in time")


def _finish(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stablenew", "learn", *args, "plan.toml", "--output", "out"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_plan_killed_mid_step_resumes_without_duplicates_or_gaps() -> None:
    process = _start("run")
    _wait_for_records(process, 3)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    before = read_records(RECORDS)
    total = len(expand_plan(load_plan("plan.toml")))
    assert 3 <= len(before.records) < total  # it really died part way

    resumed = _finish("resume", "--no-grid")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    records = read_records(RECORDS).records
    good = collections.Counter(r.learning["step_key"] for r in records if r.success)
    expected = {step.key for step in expand_plan(load_plan("plan.toml"))}
    assert set(good) == expected and set(good.values()) == {1}
    assert len({r.learning["tags"]["plan_seed"] for r in records}) == 1  # the drawn seed was reused
    assert f"{len(before.records)} already done" in resumed.stdout


def test_ctrl_c_stops_cleanly_records_what_ran_and_says_how_to_resume() -> None:
    process = _start("run")
    _wait_for_records(process, 2)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert "stopped early (cancelled)" in output and "Resume with: stablenew learn resume plan.toml" in output
    assert "Traceback" not in output
    report = read_records(RECORDS)
    assert report.torn_tail is None and report.clean
    ran = [line for line in output.splitlines() if re.match(r"step \d+/\d+ ", line)]  # progress lines
    assert len(report.records) == len(ran) < 40
    status = _finish("status")
    assert status.returncode == 0 and "to finish: stablenew learn resume plan.toml" in status.stdout
