"""A corrupt log is never silent: learn status/run/resume and run --learning warn in one line, and a
step whose record became unreadable runs again with that warning, never silently."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app

PLAN = """[plan]
name = "warn-sweep"
seed = 5

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 6, 8"

[base]
prompt = "a fox"

[base.txt2img]
width = 64
height = 64
"""
RECORDS = Path("out/learning/learning_records.jsonl")
runner = CliRunner()


def _learn(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["learn", *args, "--output", "out"])


def _damage_line(number: int) -> None:
    lines = RECORDS.read_bytes().split(b"\n")
    # an edited record: its checksum no longer fits
    lines[number - 1] = lines[number - 1].replace(b'"success":true', b'"success":false')
    RECORDS.write_bytes(b"\n".join(lines))


def test_a_clean_log_gives_no_warning() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    assert _learn("run", "plan.toml", "--no-grid").exit_code == 0
    status = _learn("status", "plan.toml")
    assert status.exit_code == 0 and "warning" not in status.stderr


def test_status_resume_and_run_warn_and_the_unreadable_step_runs_again_visibly() -> None:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    assert _learn("run", "plan.toml", "--no-grid").exit_code == 0
    _damage_line(2)
    expected = (f"warning: {RECORDS}: corrupt line 2 (unreadable records are skipped; a step recorded only "
                f"there counts as not done")
    status = _learn("status", "plan.toml")
    assert status.exit_code == 0 and status.stderr.startswith(expected)
    assert f"run `stablenew records check {RECORDS}`" in status.stderr and status.stderr.count("\n") == 1
    assert "│ 2    │ 0      │ 0         │ 1       │" in status.stdout  # the damaged step is pending again

    resumed = _learn("resume", "plan.toml", "--no-grid")
    assert resumed.exit_code == 0 and resumed.stderr.startswith(expected)
    assert "and runs again" in resumed.stderr and "2 already done, 1 ran: 1 ok" in resumed.stdout
    assert len(read_records(RECORDS).records) == 3  # the damaged line stays, reported

    again = _learn("run", "plan.toml", "--no-grid")
    assert again.exit_code == 0 and again.stderr.startswith(expected)


def test_run_with_learning_warns_about_a_corrupt_log() -> None:
    Path("pipe.toml").write_text('prompt = "a cat"\n[txt2img]\nwidth = 64\nheight = 64\n', encoding="utf-8")
    RECORDS.parent.mkdir(parents=True)
    RECORDS.write_bytes(b"garbage\n")
    options = ["--output", "out", "--records", str(RECORDS)]
    result = runner.invoke(app, ["run", "pipe.toml", "--learning", *options])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"warning: {RECORDS}: corrupt line 1 (unreadable records are skipped): "
                             f"run `stablenew records check {RECORDS}`\n")
    quiet = runner.invoke(app, ["run", "pipe.toml", "--no-learning", *options])
    assert quiet.exit_code == 0 and quiet.stderr == ""
