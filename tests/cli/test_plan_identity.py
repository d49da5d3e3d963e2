"""A plan's name is its identity: two plans sharing a name but not a prompt are never mixed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app

runner = CliRunner()
PLAN = """[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"

[base]
prompt = "{prompt}"

[base.txt2img]
width = 64
height = 64
seed = 3
"""


def _write(folder: str, prompt: str) -> Path:
    path = Path(folder) / "sweep.toml"
    path.parent.mkdir()
    path.write_text(PLAN.format(prompt=prompt), encoding="utf-8")
    return path


def test_two_unnamed_plans_with_one_file_name_and_different_prompts_are_not_mixed() -> None:
    first, second = _write("a", "a fox"), _write("b", "a lighthouse")
    assert runner.invoke(app, ["learn", "run", str(first), "--no-grid"]).exit_code == 0
    result = runner.invoke(app, ["learn", "run", str(second), "--no-grid"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {second}: plan.name: plan 'sweep' already has records in "
        "output/learning/learning_records.jsonl for another prompt ('a fox')"
    )
    assert len(read_records("output/learning/learning_records.jsonl").records) == 2  # nothing ran


def test_the_same_plan_run_again_is_still_recognised() -> None:
    first = _write("a", "a fox")
    assert runner.invoke(app, ["learn", "run", str(first), "--no-grid"]).exit_code == 0
    again = runner.invoke(app, ["learn", "run", str(first), "--no-grid"])
    assert again.exit_code == 0, again.output
    assert "2 already done, 0 ran" in again.stdout
