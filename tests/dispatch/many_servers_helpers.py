"""Helpers for plans on several fake A1111 servers: app config, plan files, records."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

from tests.servers.a1111_server import FakeA1111Server

from stablenew.adapters.files import load_plan
from stablenew.domain.plan.steps import expand_plan

FAST = {"retry_backoff_s": 0.01, "progress_interval_s": 0.05, "stage_timeout_s": 10.0, "retries": 1,
        "interrupt_grace_s": 2.0, "connect_timeout_s": 1.0}
PLAN = """[plan]
name = "many-servers"
seed = 99

[[axes]]
stage = "txt2img"
variable = "model"
values = "{models}"

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "{cfgs}"

[base]
prompt = "a lighthouse at dusk"

[base.txt2img]
steps = 4
width = 64
height = 64
"""
RECORDS = Path("out/learning/learning_records.jsonl")


def app_toml(servers: list[FakeA1111Server], **extra: Any) -> Path:
    """./app.toml selecting the a1111 backend with every server in base_urls."""
    lines = ['backend = "a1111"', 'output_dir = "out"', "[a1111]",
             f"base_urls = {json.dumps([s.base_url for s in servers])}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in {**FAST, **extra}.items()]
    path = Path("app.toml")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def plan_toml(models: str = "sd15, sdxl_base", cfgs: str = "1-6") -> Path:
    path = Path("plan.toml")
    path.write_text(PLAN.format(models=models, cfgs=cfgs), encoding="utf-8")
    return path


def records() -> list[dict[str, Any]]:
    if not RECORDS.exists():
        return []
    return [json.loads(line) for line in RECORDS.read_text(encoding="utf-8").splitlines() if line.strip()]


def step_keys_once(plan: Path) -> bool:
    """True when every step of the plan has exactly one successful record and nothing else has one."""
    good = collections.Counter(r["learning"]["step_key"] for r in records() if r["success"])
    expected = {step.key for step in expand_plan(load_plan(plan))}
    return set(good) == expected and set(good.values()) == {1}
