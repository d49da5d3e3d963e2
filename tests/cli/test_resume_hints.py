"""Resume hints work when pasted: they carry --records, --output, --config and --backend."""

from __future__ import annotations

import shlex
from pathlib import Path

from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app

PLAN = """[plan]
name = "hint sweep"
seed = 3

[[axes]]
variable = "cfg_scale"
values = "4, 6, 8"

[base]
prompt = "a heron"

[base.txt2img]
width = 64
height = 64
"""
runner = CliRunner()


def _hint(output: str, prefix: str) -> list[str]:
    line = next(line for line in output.splitlines() if prefix in line)
    words = shlex.split(line.split(prefix, 1)[1])
    assert words[0] == "stablenew"
    return words[1:]


def test_a_pasted_resume_hint_finishes_the_plan_in_the_same_log() -> None:
    Path("my plan.toml").write_text(PLAN, encoding="utf-8")
    Path("app.toml").write_text("[grid]\nenabled = false\n", encoding="utf-8")
    options = ["--records", "logs/sweep.jsonl", "--output", "imgs", "--config", "app.toml",
               "--backend", "procedural"]
    first = runner.invoke(app, ["learn", "run", "my plan.toml", "--max-steps", "1", *options])
    assert first.exit_code == 0, first.output
    words = _hint(first.output, "Resume with: ")
    assert words == ["learn", "resume", "my plan.toml", *options]

    pasted = runner.invoke(app, words)
    assert pasted.exit_code == 0 and "1 already done, 2 ran: 2 ok" in pasted.output
    assert len(read_records(Path("logs/sweep.jsonl")).records) == 3
    assert not Path("output").exists()


def test_status_hint_carries_the_options_and_a_plan_that_never_ran_is_started_not_resumed() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    never = runner.invoke(app, ["learn", "status", "plan.toml", "--records", "r.jsonl"])
    assert never.exit_code == 0, never.output
    assert "learn resume" not in never.output
    assert _hint(never.output, "to start: ") == ["learn", "run", "plan.toml", "--records", "r.jsonl"]
    assert runner.invoke(app, [*_hint(never.output, "to start: "), "--max-steps", "2"]).exit_code == 0

    part = runner.invoke(app, ["learn", "status", "plan.toml", "--records", "r.jsonl"])
    words = _hint(part.output, "to finish: ")
    assert words == ["learn", "resume", "plan.toml", "--records", "r.jsonl"]
    done = runner.invoke(app, words)
    assert done.exit_code == 0 and "2 already done, 1 ran" in done.output


def test_failed_steps_say_how_to_retry_them() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    Path("out").mkdir()
    Path("out/runs").write_text("a file where the image folder should be", encoding="utf-8")
    failed = runner.invoke(app, ["learn", "run", "plan.toml", "--output", "out", "--no-grid"])
    assert failed.exit_code == 1
    assert _hint(failed.output, "to retry the failed steps: ") == [
        "learn", "resume", "plan.toml", "--output", "out"]
