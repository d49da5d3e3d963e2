"""SIGTERM is Ctrl-C: `kill`, `timeout` or a CI cancel stops the server's job, records what ran, and
the process exits non-zero — real processes against real test servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.backends.a1111_helpers import TXT2IMG, app_toml, pipeline_toml
from tests.servers.a1111_server import FakeA1111Server
from tests.servers.comfyui_server import FakeComfyUIServer

PLAN = ('[plan]\nname = "steps"\nbase = "base.toml"\nseed = 3\n\n[[axes]]\nstage = "txt2img"\n'
        'variable = "cfg_scale"\nvalues = "1-4"\n')


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "stablenew", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _records(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "output" / "learning" / "learning_records.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_sigterm_during_a_comfyui_plan_stops_the_prompt_and_records_it(tmp_path: Path) -> None:
    with FakeComfyUIServer(step_delay_s=0.5) as server:  # 20 steps: 10 s, far longer than the test needs
        (tmp_path / "stablenew.toml").write_text(
            f'backend = "comfyui"\noutput_dir = "{(tmp_path / "output").as_posix()}"\n'
            f'[comfyui]\nbase_url = "{server.base_url}"\nstage_timeout_s = 120\n', encoding="utf-8")
        pipeline_toml(tmp_path / "base.toml", "[txt2img]\nsteps = 20\nwidth = 64\nheight = 64\n")
        (tmp_path / "plan.toml").write_text(PLAN, encoding="utf-8")
        process = _start(["learn", "run", "plan.toml", "--no-grid"], tmp_path)
        _wait_for(lambda: len(server.prompts) >= 1, process, "the first prompt")
        time.sleep(0.3)  # it is running on the server
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        assert time.monotonic() - started < 30
        assert process.returncode == 1, output
        assert "Traceback" not in output and "Resume with" in output
        assert server.count("/queue") >= 1 and server.interrupts >= 1  # queue delete, then interrupt
        assert len(server.prompts) == 1  # no further step was queued
    (record,) = _records(tmp_path)
    assert record["cancelled"] is True and "terminated (SIGTERM)" in str(record["error"])


def test_sigterm_during_an_a1111_run_interrupts_the_generation_and_records_it(tmp_path: Path) -> None:
    with FakeA1111Server() as server:
        server.generation_delay_s = 60.0
        app_toml(tmp_path / "stablenew.toml", server.base_url, stage_timeout_s=120.0)
        pipe = pipeline_toml(tmp_path / "pipe.toml", "[txt2img]\nsteps = 20\n")
        process = _start(["run", str(pipe)], tmp_path)
        _wait_for(lambda: server.count(TXT2IMG) >= 1, process, "the txt2img request")
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 1, output
        assert "terminated (SIGTERM): the run stopped early" in output and "Traceback" not in output
        assert server.interrupts >= 1
    (record,) = _records(tmp_path)
    assert record["cancelled"] is True and record["stage_events"][0]["outcome"] == "cancelled"  # type: ignore[index]
