"""recommend, learn confirm, report and export llm: bad input → exit 2 and one line, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stablenew.cli import app

PLAN = """[plan]
name = "cli-input"
seed = 1

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"

[base]
prompt = "a fox"

[base.txt2img]
steps = 2
width = 64
height = 64
"""
runner = CliRunner()


def _invoke(*args: str):
    return runner.invoke(app, [*args])


@pytest.fixture
def plan() -> str:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    return "plan.toml"


def _one_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["recommend", "--plan", "missing.toml"], "missing.toml"),
        (["recommend", "--plan", "plan.toml", "--prompt", "a fox"], "--prompt: give either --plan or"),
        (["recommend", "--plan", "plan.toml", "--model", "x"], "--model: give either --plan or --prompt"),
        (["recommend", "--write-preset", "p.toml"], "--write-preset: needs --plan"),
        (["report", "missing.toml", "-o", "r.html"], "missing.toml"),
        (["export", "llm", "missing.toml"], "missing.toml"),
        (["learn", "confirm", "missing.toml"], "missing.toml"),
        (["learn", "confirm", "plan.toml", "--output", "out"], "nothing to confirm: plan 'cli-input'"),
    ],
)
def test_bad_input_exits_2_with_one_line(plan: str, args: list[str], expected: str) -> None:
    result = _invoke(*args)
    assert result.exit_code == 2, result.output
    assert expected in _one_line(result.output)
    assert "Traceback" not in result.output
    assert not Path("p.toml").exists() and not Path("r.html").exists() and not Path("out/runs").exists()


@pytest.mark.parametrize(
    "args",
    [["learn", "confirm", "plan.toml", "--top", "0"], ["learn", "confirm", "plan.toml", "--images", "0"],
     ["report", "plan.toml"]],
)
def test_option_checks_exit_2(plan: str, args: list[str]) -> None:
    result = _invoke(*args)
    assert result.exit_code == 2


def test_an_unwritable_output_exits_2_naming_it(plan: str) -> None:
    Path("taken").mkdir()
    for args in (["report", "plan.toml", "-o", "taken"], ["export", "llm", "plan.toml", "-o", "taken"]):
        result = _invoke(*args, "--output", "out")
        assert result.exit_code == 2, (args, result.output)
        assert "taken: cannot be written" in result.output.splitlines()[-1]
    preset = _invoke("recommend", "--plan", "plan.toml", "--write-preset", "p.toml", "--output", "out")
    assert preset.exit_code == 2 and "nothing to write: the recommendation has no pick yet" in preset.output
    assert not Path("p.toml").exists()


def test_without_ratings_recommend_says_insufficient_in_both_forms(plan: str) -> None:
    human = _invoke("recommend", "--plan", "plan.toml", "--output", "out")
    assert human.exit_code == 0, human.output
    assert "verdict: insufficient" in human.output
    assert "missing: no ratings of this plan's images yet" in human.output
    data = json.loads(_invoke("recommend", "--plan", "plan.toml", "--output", "out", "--json").output)
    assert data["schema"] == "stablenew.recommendation/1" and data["verdict"] == "insufficient"
    assert data["axes"][0]["values"][0] == {
        "value": 4.0, "n_images": 0, "n_steps": 0, "mean_stars": None, "effect": None, "ci95": None,
        "bt_strength": None, "n_comparisons": 0,
    }
    everything = _invoke("recommend", "--prompt", "a fox", "--model", "sd15", "--output", "out")
    assert everything.exit_code == 0
    assert "all rated runs of prompt 'a fox' with model 'sd15'" in everything.output
