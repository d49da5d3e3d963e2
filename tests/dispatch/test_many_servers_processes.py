"""Real CLI processes on several fake-A1111 servers: kill -9 then resume leaves every step key exactly
once; Ctrl-C interrupts the job running on every server and records what ran."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from tests.dispatch.many_servers_helpers import app_toml, plan_toml, records, step_keys_once
from tests.servers.a1111_server import FakeA1111Server


@pytest.fixture
def servers() -> Iterator[list[FakeA1111Server]]:
    started = [FakeA1111Server().start() for _ in range(3)]
    yield started
    for server in started:
        server.stop()


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "stablenew", "learn", *args, "plan.toml", "--no-grid", "--config", "app.toml"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for(process: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 60
    while len(records()) < count:
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "too few records in time"
        time.sleep(0.01)


def test_kill_9_then_resume_runs_every_step_key_exactly_once(servers: list[FakeA1111Server]) -> None:
    for server in servers:
        server.generation_delay_s = 0.3  # 18 steps take about 2 s on three servers: time to kill it
    app_toml(servers)
    plan = plan_toml(models="sd15, sdxl_base", cfgs="1-9")
    process = start("run")
    wait_for(process, 4)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert 4 <= len(records()) < 18
    resumed = subprocess.run(
        [sys.executable, "-m", "stablenew", "learn", "resume", "plan.toml", "--no-grid",
         "--config", "app.toml"],
        capture_output=True, text=True, timeout=120,
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert step_keys_once(plan)


def test_ctrl_c_interrupts_every_server_s_running_job(servers: list[FakeA1111Server]) -> None:
    for server in servers:
        server.generation_delay_s = 30.0  # long enough that every server is busy when Ctrl-C comes
    app_toml(servers)
    plan_toml(models="sd15", cfgs="1-9")
    process = start("run")
    deadline = time.monotonic() + 30
    while not all(server.generations_in_flight for server in servers):
        assert process.poll() is None and time.monotonic() < deadline, "servers never all busy"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 1, output
    assert all(server.interrupts >= 1 for server in servers)
    assert "Traceback" not in output and "learn resume" in output
    written = records()
    assert len(written) == 3 and all(record["cancelled"] for record in written)
    assert {record["server"] for record in written} == {server.base_url for server in servers}
