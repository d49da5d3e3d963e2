"""The default (procedural) backend refuses unknown names as A1111 does: exit 2, one line, no output."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from stablenew.cli import app

runner = CliRunner()
CONFIG = """prompt = "a lighthouse"

[txt2img]
sampler_name = "{sampler}"
steps = 4
width = 64
height = 64
"""
PLAN = """[plan]
name = "bad-scheduler"
seed = 3

[[axes]]
stage = "txt2img"
variable = "scheduler"
values = "Karras, Karas"

[base]
prompt = "a fox"

[base.txt2img]
width = 64
height = 64
"""


def _nothing_written() -> None:
    assert not Path("output").exists() and not Path("out").exists()
    assert not list(Path(".").rglob("*.jsonl")) and not list(Path(".").rglob("*.png"))


def test_run_with_a_misspelt_sampler_exits_2_naming_the_field_and_close_matches() -> None:
    Path("cfg.toml").write_text(CONFIG.format(sampler="Eular a"), encoding="utf-8")
    result = runner.invoke(app, ["run", "cfg.toml", "--learning"])
    assert result.exit_code == 2
    assert result.stderr == (
        'error: cfg.toml: txt2img.sampler_name: unknown sampler "Eular a" (close matches: Euler a, Euler)\n'
    )
    assert result.stdout == ""
    _nothing_written()


def test_run_accepts_an_a1111_alias() -> None:
    Path("cfg.toml").write_text(CONFIG.format(sampler="k_euler_a"), encoding="utf-8")
    result = runner.invoke(app, ["run", "cfg.toml"])
    assert result.exit_code == 0, result.output
    assert len(list(Path("output").rglob("*.png"))) == 1


def test_learn_run_with_a_bad_scheduler_on_an_axis_exits_2_and_runs_no_step() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", "plan.toml", "--output", "out"])
    assert result.exit_code == 2
    assert result.stderr == (
        'error: plan.toml: txt2img.scheduler: unknown scheduler "Karas" (close matches: Karras)\n'
    )
    _nothing_written()
