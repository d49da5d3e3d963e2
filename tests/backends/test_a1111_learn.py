"""A learning plan through A1111: names validated up front, a faulted step recorded, the plan goes on."""

from __future__ import annotations

from pathlib import Path

from tests.backends.a1111_helpers import TXT2IMG, app_toml, generation_requests, pipeline_toml, read_records
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server, Fault
from typer.testing import CliRunner

from stablenew.cli import app

a1111_server = a1111_fixtures.a1111_server  # the fixture, by name

runner = CliRunner()
PLAN = ('[plan]\nname = "samplers"\nbase = "base.toml"\nseed = 1234\n\n[[axes]]\nstage = "txt2img"\n'
        'variable = "sampler_name"\nvalues = "{values}"\n')


def test_a_plan_goes_on_after_a_faulted_step(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    pipeline_toml(tmp_path / "base.toml", '[txt2img]\nmodel = "sd15"\nsteps = 3\n')
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(values="Euler a, DPM++ 2M"), encoding="utf-8")
    a1111_server.add_fault(TXT2IMG, Fault("oom"))
    result = runner.invoke(app, ["learn", "run", str(plan), "--no-grid", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert a1111_server.count(TXT2IMG) == 2
    records = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    assert [r["success"] for r in records] == [False, True]
    assert records[0]["stage_events"][0]["error_kind"] == "out_of_memory"
    assert [body["sampler_name"] for body in a1111_server.payloads(TXT2IMG)] == ["Euler a", "DPM++ 2M"]
    assert {body["seed"] for body in a1111_server.payloads(TXT2IMG)} == {1234}
    assert records[1]["learning"]["variables"] == {"txt2img.sampler_name": "DPM++ 2M"}


def test_a_plan_with_an_unknown_sampler_value_runs_nothing(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    pipeline_toml(tmp_path / "base.toml", "[txt2img]\nsteps = 3\n")
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(values="Euler a, Eular"), encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", str(plan), "--no-grid", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "plan.toml: axes[0].values: unknown sampler \"Eular\"" in result.stderr
    assert generation_requests(a1111_server) == 0
