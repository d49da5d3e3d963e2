"""A real recorded plan for the feedback CLI tests: two steps of a 64×64 procedural sweep."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from stablenew.adapters.records import read_records
from stablenew.cli import app

PLAN = """[plan]
name = "fb-sweep"
seed = 5
images_per_step = 2

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"

[base]
prompt = "a fox"

[base.txt2img]
width = 64
height = 64
steps = 3
"""
RECORDS = Path("out/learning/learning_records.jsonl")
FEEDBACK = Path("out/learning/feedback.jsonl")
runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def run_plan() -> list[tuple[str, list[str]]]:
    """Run the plan; (run id, image paths) per step, in log order."""
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    result = invoke("learn", "run", "plan.toml", "--output", "out", "--no-grid")
    assert result.exit_code == 0, result.output
    return [(str(r.run_id), list(r.data["images"])) for r in read_records(RECORDS).records]


def feedback_lines() -> list[str]:
    return FEEDBACK.read_text(encoding="utf-8").splitlines() if FEEDBACK.exists() else []
