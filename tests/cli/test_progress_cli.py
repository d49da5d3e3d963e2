"""On a terminal, `run` and `learn run` show the running stage's progress from a slow fake A1111;
piped, they print nothing extra. TTY_COMPATIBLE=1/0 is rich's own switch for "this is (not) a terminal"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.backends.a1111_helpers import app_toml, pipeline_toml
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server
from typer.testing import CliRunner

from stablenew.cli import app

a1111_server = a1111_fixtures.a1111_server  # the fixture, by name

runner = CliRunner()
PIPE = '[txt2img]\nmodel = "sd15"\nsteps = 12\n[img2img]\nsteps = 10\ndenoising_strength = 0.5\n'
PLAN = """[plan]
name = "progress"
seed = 3

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "5, 7"

[base]
prompt = "a fox"

[base.txt2img]
model = "sd15"
steps = 12
width = 64
height = 64
"""


@pytest.mark.parametrize("terminal", [True, False])
def test_run_shows_a_bar_per_stage_only_on_a_terminal(
    terminal: bool, a1111_server: FakeA1111Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")
    a1111_server.generation_delay_s = 0.6
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    pipe = pipeline_toml(tmp_path / "pipe.toml", PIPE)
    result = runner.invoke(app, ["run", str(pipe), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "on a1111: ok" in result.stdout
    assert bool(re.search(r"txt2img \d+/12", result.stdout)) is terminal
    assert bool(re.search(r"img2img \d+/\d+", result.stdout)) is terminal
    assert ("scripts_txt2img" in result.stdout) is terminal


@pytest.mark.parametrize("terminal", [True, False])
def test_learn_run_shows_the_running_stage_beside_the_step(
    terminal: bool, a1111_server: FakeA1111Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")
    a1111_server.generation_delay_s = 0.6
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", str(plan), "--no-grid", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert bool(re.search(r"step 2/2 .*txt2img\.cfg_scale=7\.0 +txt2img \d+/12", result.stdout)) is terminal
    assert ("step 2/2 ok: txt2img.cfg_scale=7.0" in result.stdout) is not terminal  # the piped form
