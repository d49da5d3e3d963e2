"""One step numbering everywhere (progress, failure lines, summary, status): 1-based, the step's
place in the plan; a cancelled step is reported as cancelled, not failed."""

from __future__ import annotations

from pathlib import Path

from tests.backends.a1111_helpers import app_toml
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server
from typer.testing import CliRunner

from stablenew.cli import app

a1111_server = a1111_fixtures.a1111_server
runner = CliRunner()
PLAN = """[plan]
name = "numbered"
seed = 9

[[axes]]
variable = "steps"
values = "2, 3, 4"

[base]
prompt = "a lighthouse at dusk"

[base.txt2img]
width = 64
height = 64
"""


def _learn(*args: str):
    return runner.invoke(app, ["learn", *args, "--output", "out", "--no-grid"])


def test_progress_failure_and_status_lines_count_steps_from_one_in_the_plan() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    assert _learn("run", "plan.toml", "--max-steps", "1").output.count("step 1/3 ok: txt2img.steps=2") == 1
    Path("out/runs").rename("out/runs-moved")
    Path("out/runs").write_text("a file where the image folder should be", encoding="utf-8")
    resumed = _learn("resume", "plan.toml")
    assert resumed.exit_code == 1
    lines = resumed.output.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("step ")] == [
        "step 2/3 FAILED", "step 3/3 FAILED", "step 2 failed", "step 3 failed"]
    assert "1 ok" not in resumed.output and "0 ok, 2 failed, 0 cancelled" in resumed.output

    status = runner.invoke(app, ["learn", "status", "plan.toml", "--output", "out"])
    assert "failed: step 2: txt2img.steps=3" in status.output
    assert "failed: step 3: txt2img.steps=4" in status.output


def test_a_step_cancelled_by_the_timeout_is_cancelled_everywhere(
    a1111_server: FakeA1111Server, tmp_path: Path
) -> None:
    a1111_server.generation_delay_s = 3.0
    config = app_toml(tmp_path / "app.toml", a1111_server.base_url)
    Path("plan.toml").write_text(PLAN.replace("width = 64\nheight = 64\n", ""), encoding="utf-8")
    result = runner.invoke(app, ["learn", "run", "plan.toml", "--config", str(config), "--timeout", "0.3",
                                 "--no-grid"])
    assert result.exit_code == 1, result.output
    assert "step 1/3 cancelled: txt2img.steps=2" in result.output
    assert "step 1 cancelled: txt2img.steps=2:" in result.output
    assert "0 ok, 0 failed, 1 cancelled" in result.output and "failed:" not in result.output

    status = runner.invoke(app, ["learn", "status", "plan.toml", "--config", str(config)])
    assert "│ 0    │ 0      │ 1         │ 2       │" in status.output, status.output
    assert "cancelled: step 1: txt2img.steps=2" in status.output
    assert "to finish: stablenew learn resume plan.toml --config" in status.output
