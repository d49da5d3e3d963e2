"""Deeply nested JSON/TOML is bad input (exit 2, one line), never a RecursionError traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stablenew.adapters.files import load_pipeline_config, load_plan
from stablenew.adapters.files.config_files import MAX_DEPTH
from stablenew.cli import app
from stablenew.domain.errors import ConfigError, PlanError

runner = CliRunner()


def _json_config(depth: int) -> str:
    return ('{"prompt": "x", "txt2img": {"width": 64, "height": 64}, "metadata": {"a": '
            + "[" * depth + "]" * depth + "}}")


@pytest.mark.parametrize("depth", [100_000, 500, MAX_DEPTH])
def test_a_deeply_nested_json_config_is_exit_2_with_one_line(depth: int) -> None:
    Path("deep.json").write_text(_json_config(depth), encoding="utf-8")
    result = runner.invoke(app, ["run", "deep.json", "--output", "out"])
    assert result.exit_code == 2, result.output
    expected = f"error: deep.json: nests too deeply (at most {MAX_DEPTH} levels of tables and arrays)\n"
    assert result.stderr == expected
    assert not Path("out").exists()


def test_nesting_within_the_limit_is_accepted() -> None:
    Path("ok.json").write_text(_json_config(MAX_DEPTH - 2), encoding="utf-8")
    config = load_pipeline_config("ok.json")
    assert config.metadata["a"] is not None


def test_deep_toml_plans_and_app_configs_are_refused() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    Path("deep.toml").write_text(f'prompt = "x"\n[txt2img]\n[metadata]\na = {deep}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="nests too deeply"):
        load_pipeline_config("deep.toml")
    Path("plan.toml").write_text(f'[plan]\nname = "p"\nx = {deep}\n', encoding="utf-8")
    with pytest.raises(PlanError, match="nests too deeply"):
        load_plan("plan.toml")
    Path("stablenew.toml").write_text(f"x = {deep}\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "deep.toml"])
    assert result.exit_code == 2 and result.stderr == "error: stablenew.toml: nests too deeply\n"
