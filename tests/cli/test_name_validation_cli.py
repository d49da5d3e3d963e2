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
        'error: plan.toml: axes[0].values: unknown scheduler "Karas" (close matches: Karras)\n'
    )
    _nothing_written()


INHERITING_PLAN = """[plan]
name = "inherits"
seed = 3

[[axes]]
stage = "txt2img"
variable = "steps"
values = "4, 5"

[[axes]]
stage = "txt2img"
variable = "sampler_name"
values = "Euler, Eular a"

[base]
prompt = "a fox"

[base.txt2img]
width = 64
height = 64

[base.img2img]
denoising_strength = 0.3
"""


def test_a_bad_value_an_axis_passes_down_to_a_later_stage_is_blamed_on_the_axis() -> None:
    Path("plan.toml").write_text(INHERITING_PLAN, encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", "plan.toml", "--output", "out"])
    assert result.exit_code == 2
    assert result.stderr.startswith('error: plan.toml: axes[1].values: unknown sampler "Eular a"')
    _nothing_written()


def test_a_bad_name_in_the_base_is_blamed_on_the_base_file_or_the_inline_table() -> None:
    Path("base.toml").write_text(CONFIG.format(sampler="Eular a"), encoding="utf-8")
    on_file = (
        '[plan]\nname = "from-file"\nseed = 3\nbase = "base.toml"\n\n'
        '[[axes]]\nstage = "txt2img"\nvariable = "scheduler"\nvalues = "Karras, Simple"\n'
    )
    Path("plan.toml").write_text(on_file, encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", "plan.toml", "--output", "out"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: base.toml: txt2img.sampler_name: unknown sampler")

    inline = PLAN.replace('"Karras, Karas"', '"Karras, Simple"').replace(
        "[base.txt2img]\n", '[base.txt2img]\nsampler_name = "Eular a"\n'
    )
    Path("plan.toml").write_text(inline, encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", "plan.toml", "--output", "out"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: plan.toml: base.txt2img.sampler_name: unknown sampler")
    _nothing_written()
