"""Contact sheets from `learn run`: the PNG names its plan and axes; after Ctrl-C none is drawn."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app

PLAN = """[plan]
name = "sheet plan"
seed = 4

[[axes]]
variable = "sampler_name"
values = "Euler a, DPM++ 2M SDE"

[[axes]]
variable = "steps"
values = "{steps}"

[base]
prompt = "a lighthouse"

[base.txt2img]
width = {size}
height = {size}
"""
RECORDS = Path("out/learning/learning_records.jsonl")


def test_the_sheet_png_carries_its_plan_and_axes() -> None:
    Path("plan.toml").write_text(PLAN.format(steps="2, 3", size=64), encoding="utf-8")
    result = CliRunner().invoke(app, ["learn", "run", "plan.toml", "--output", "out"])
    assert result.exit_code == 0, result.output
    plan_id = read_records(RECORDS).records[0].learning["plan_id"]
    with Image.open(f"out/learning/plans/{plan_id}/grid.png") as sheet:
        data = json.loads(sheet.text["stablenew-sheet"])
    assert (data["plan_id"], data["plan_name"], data["plan_file"]) == (plan_id, "sheet plan", "plan.toml")
    assert data["x"] == {"axis": "txt2img.sampler_name", "values": ["Euler a", "DPM++ 2M SDE"]}
    assert data["y"] == {"axis": "txt2img.steps", "values": [2, 3]} and data["z"] == {}
    assert [axis["variable"] for axis in data["axes"]] == ["sampler_name", "steps"]
    assert all(isinstance(path, str) for row in data["cells"] for path in row)


def test_after_ctrl_c_no_sheet_is_drawn() -> None:
    Path("plan.toml").write_text(PLAN.format(steps="10-80 [20]", size=512), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "stablenew", "learn", "run", "plan.toml", "--output", "out"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 120
    while len(read_records(RECORDS).records) < 2:
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()[0]
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1, output
    assert "note: contact sheet not drawn: the run was interrupted" in output
    assert not list(Path("out").rglob("grid*.png"))
