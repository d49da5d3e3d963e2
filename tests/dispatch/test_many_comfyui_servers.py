"""One plan on two fake ComfyUI servers: both take steps, every step key once, each record names its
server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.dispatch.many_servers_helpers import plan_toml, records, step_keys_once
from tests.servers.comfyui_server import FakeComfyUIServer
from typer.testing import CliRunner

from stablenew.cli import app


@pytest.fixture
def servers() -> Iterator[list[FakeComfyUIServer]]:
    started = [FakeComfyUIServer(step_delay_s=0.01).start() for _ in range(2)]
    yield started
    for server in started:
        server.stop()


def test_a_plan_runs_on_two_comfyui_servers(servers: list[FakeComfyUIServer]) -> None:
    Path("app.toml").write_text(
        'backend = "comfyui"\noutput_dir = "out"\n[comfyui]\n'
        f"base_urls = {json.dumps([s.base_url for s in servers])}\n"
        "retries = 1\nretry_backoff_s = 0.01\npoll_interval_s = 0.05\nconnect_timeout_s = 1.0\n",
        encoding="utf-8",
    )
    plan = plan_toml(models="sd15.safetensors", cfgs="1-6")
    result = CliRunner().invoke(app, ["learn", "run", "plan.toml", "--no-grid", "--config", "app.toml"])
    assert result.exit_code == 0, result.output
    assert step_keys_once(plan) and len(records()) == 6
    assert {r["server"] for r in records()} == {s.base_url for s in servers}
    assert all(server.prompts for server in servers)
