"""--timeout is a real duration: inf, NaN or a negative number is bad input (exit 2), nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from stablenew.cli import app

runner = CliRunner()


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e400", "-1"])
def test_a_timeout_that_is_not_a_finite_duration_is_exit_2(tmp_path: Path, value: str) -> None:
    (tmp_path / "base.toml").write_text('prompt = "p"\n[txt2img]\nsteps = 2\n', encoding="utf-8")
    plan = tmp_path / "plan.toml"
    plan.write_text('[plan]\nname = "x"\nbase = "base.toml"\n[[axes]]\nstage = "txt2img"\n'
                    'variable = "steps"\nvalues = "1-2"\n', encoding="utf-8")
    records = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["learn", "run", str(plan), "--timeout", value, "--records", str(records)])
    assert result.exit_code == 2, result.output
    assert "finite number of seconds" in result.output and not records.exists()


@pytest.mark.parametrize("key", ["stage_timeout_s", "connect_timeout_s", "stall_timeout_s"])
@pytest.mark.parametrize("value", ["inf", "nan"])
def test_an_infinite_server_time_out_is_exit_2(tmp_path: Path, key: str, value: str) -> None:
    config = tmp_path / "app.toml"
    config.write_text(f"[comfyui]\n{key} = {value}\n", encoding="utf-8")
    result = runner.invoke(app, ["backends", "check", "--config", str(config)])
    assert result.exit_code == 2 and f"comfyui.{key}: Input should be a finite number" in result.output
