"""Every shipped example is valid input, and `--version` answers without running anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stablenew import __version__
from stablenew.adapters.files import load_pipeline_config, load_plan
from stablenew.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_config_loads_and_runs(path: Path) -> None:
    assert load_pipeline_config(path).enabled_stages()
    result = runner.invoke(app, ["run", str(path), "--learning", "--output", "out"])
    assert result.exit_code == 0, result.output
    assert Path("out/learning/learning_records.jsonl").is_file()


@pytest.mark.parametrize("path", sorted((EXAMPLES / "plans").glob("*.toml")), ids=lambda p: p.name)
def test_every_example_plan_loads(path: Path) -> None:
    plan = load_plan(path)
    assert plan.axes and plan.source == str(path)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"stablenew {__version__}"
