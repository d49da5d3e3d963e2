"""A real `stablenew run` process against the fake A1111: Ctrl-C interrupts the server, the
cancelled run is recorded, and the process exits 1 saying it was interrupted."""

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

INTERRUPT = "/sdapi/v1/interrupt"


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_ctrl_c_during_a_run_interrupts_the_server_and_records_a_cancelled_run(tmp_path: Path) -> None:
    with FakeA1111Server() as server:
        server.generation_delay_s = 60.0  # far longer than the test: only an interrupt ends it early
        app_toml(tmp_path / "stablenew.toml", server.base_url, stage_timeout_s=120.0)  # found in the cwd
        pipe = pipeline_toml(tmp_path / "pipe.toml", '[txt2img]\nsteps = 20\n[img2img]\n')
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            [sys.executable, "-m", "stablenew", "run", str(pipe)], cwd=tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        _wait_for(lambda: server.count(TXT2IMG) >= 1, process, "the txt2img request")
        time.sleep(0.3)  # the generation is under way
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
        assert time.monotonic() - started < 30
        assert process.returncode == 1, output
        assert "Traceback" not in output
        assert "interrupted (Ctrl-C): the run stopped early" in output
        assert server.count(INTERRUPT) >= 1 and server.interrupts >= 1
        assert server.count("/sdapi/v1/img2img") == 0  # the next stage never started
    lines = (tmp_path / "output" / "learning" / "learning_records.jsonl").read_text().splitlines()
    (record,) = [json.loads(line) for line in lines]
    assert record["success"] is False and record["cancelled"] is True
    assert record["stage_events"][0]["outcome"] == "cancelled"
    assert "interrupted (Ctrl-C)" in record["error"]
