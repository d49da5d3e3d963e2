"""A real review server on 127.0.0.1 over a real plan's records (procedural backend)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from typer.testing import CliRunner

from stablenew.adapters.files import load_plan
from stablenew.cli import app
from stablenew.cli.options import open_container
from stablenew.cli.review_cmd import bind
from stablenew.web import create_review_app

PLAN = """[plan]
name = "review-sweep"
seed = 5

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "3, 7, 11"

[[axes]]
stage = "txt2img"
variable = "sampler_name"
values = "Euler a, DPM++ 2M"

[base]
prompt = "a lighthouse at dusk"

[base.txt2img]
steps = 4
width = 64
height = 64
"""
FEEDBACK = Path("output/learning/feedback.jsonl")


@dataclass
class ReviewServer:
    url: str
    plan_id: str
    token: str

    def events(self) -> list[dict[str, Any]]:
        if not FEEDBACK.exists():
            return []
        return [json.loads(line) for line in FEEDBACK.read_text(encoding="utf-8").splitlines() if line]


def run_plan() -> str:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    result = CliRunner().invoke(app, ["learn", "run", "plan.toml", "--output", "output", "--no-grid"])
    assert result.exit_code == 0, result.output
    return load_plan("plan.toml").id


@contextmanager
def serving(plan_id: str | None, token: str = "test-token") -> Iterator[ReviewServer]:
    container = open_container(None, output=Path("output"))
    controller = container.review_controller(feedback=container.feedback_controller(rater="ann"))
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_review_app(controller, plan_id=plan_id, token=token),
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the review server did not start"
        time.sleep(0.01)
    try:
        yield ReviewServer(f"http://127.0.0.1:{sock.getsockname()[1]}", plan_id or "", token)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
