"""The test ComfyUI server stops at once, even while a prompt is running (no 10 s join timeout)."""

from __future__ import annotations

import time

import httpx

from .comfyui_graphs import txt2img_graph
from .comfyui_server import FakeComfyUIServer


def test_stop_while_a_prompt_runs_returns_at_once_every_time() -> None:
    slowest = 0.0
    for _ in range(6):  # the swallowed cancel was intermittent: try it several times
        server = FakeComfyUIServer(step_delay_s=0.02).start()
        answer = httpx.post(f"{server.base_url}/prompt", json={"prompt": txt2img_graph(steps=200)}, timeout=5)
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + 5
        while server.count("/prompt") and not server._running and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.03)  # inside a step's wait
        started = time.monotonic()
        server.stop()
        slowest = max(slowest, time.monotonic() - started)
    assert slowest < 3.0  # a swallowed cancel left the worker waiting and stop() hung for 10 s
