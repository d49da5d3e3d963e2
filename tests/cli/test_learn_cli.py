"""`stablenew learn run|resume|status`: records, resume, contact sheets, exit codes 0/1/2."""

from __future__ import annotations

import io
import os
import signal
import threading
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from stablenew.adapters.records import read_records
from stablenew.cli import app
from stablenew.cli.interrupts import INTERRUPT_REASON, sigint_cancels
from stablenew.cli.learn_progress import StepProgress
from stablenew.domain.plan.learning_results import LearningRunResult
from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.run.cancel import CancelToken

PLAN = """[plan]
name = "cli-sweep"
seed = 5

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"

[[axes]]
stage = "txt2img"
variable = "steps"
values = "{steps}"

[base]
prompt = "a fox"

[base.txt2img]
width = 64
height = 64
"""
RECORDS = Path("out/learning/learning_records.jsonl")
runner = CliRunner()


def _plan(steps: str = "3, 6", text: str = PLAN) -> str:
    Path("plan.toml").write_text(text.replace("{steps}", steps), encoding="utf-8")
    return "plan.toml"


def _learn(*args: str):
    return runner.invoke(app, ["learn", *args, "--output", "out"])


def test_run_records_every_step_draws_a_sheet_and_a_second_run_does_nothing() -> None:
    result = _learn("run", _plan())

    assert result.exit_code == 0, result.output
    assert "step 4/4 ok: txt2img.cfg_scale=8.0, txt2img.steps=6" in result.output
    assert "4 steps — 0 already done, 4 ran: 4 ok, 0 failed" in result.output
    records = read_records(RECORDS).records
    assert len(records) == 4 and all(r.success and r.run_type == "learning" for r in records)
    assert [r.learning["variables"]["txt2img.steps"] for r in records] == [3, 3, 6, 6]
    assert {r.config["txt2img"]["seed"] for r in records} == {5}
    sheet = Path("out/learning/plans") / records[0].learning["plan_id"] / "grid.png"
    assert sheet.is_file() and f"contact sheet: {sheet}" in result.output

    again = _learn("run", "plan.toml", "--no-grid")
    assert again.exit_code == 0 and "4 already done, 0 ran" in again.output
    assert len(read_records(RECORDS).records) == 4


def test_an_edited_plan_keeps_its_done_steps_and_status_counts_them() -> None:
    assert _learn("run", _plan("3"), "--no-grid").exit_code == 0
    pending = _learn("status", _plan("6, 3"))
    assert pending.exit_code == 0 and "4 steps, 2 records" in pending.output
    assert (
        "│ 2    │ 0      │ 0         │ 2       │" in pending.output
        and "stablenew learn resume plan.toml" in pending.output
    )

    resumed = _learn("resume", "plan.toml", "--no-grid")
    assert resumed.exit_code == 0 and "2 already done, 2 ran: 2 ok" in resumed.output
    assert "│ 4    │ 0      │ 0         │ 0       │" in _learn("status", "plan.toml").output


def test_resume_without_records_is_bad_input_and_writes_nothing() -> None:
    result = _learn("resume", _plan())
    assert result.exit_code == 2
    assert (
        "error: plan.toml: nothing to resume:" in result.output and "`stablenew learn run`" in result.output
    )
    assert not Path("out").exists()


def test_a_bad_plan_exits_2_with_one_line_naming_the_file_and_field() -> None:
    result = _learn("run", _plan("4-x"))
    assert result.exit_code == 2
    assert result.output == 'error: plan.toml: axes[1].values: "4-x" is not a number range\n'
    assert not Path("out").exists()


def test_failed_steps_are_recorded_the_plan_goes_on_and_the_exit_status_is_1() -> None:
    Path("out").mkdir()
    Path("out/runs").write_text("a file where the image folder should be", encoding="utf-8")
    result = _learn("run", _plan())
    assert result.exit_code == 1
    assert result.output.count("FAILED") == 4 and "step 1 failed: txt2img.cfg_scale=4.0" in result.output
    assert "note: contact sheet grid: no images to show" in result.output
    assert [r.success for r in read_records(RECORDS).records] == [False] * 4
    assert "│ 0    │ 4      │ 0         │ 0       │" in _learn("status", "plan.toml").output


def test_limits_stop_early_and_say_how_to_resume() -> None:
    limited = _learn("run", _plan(), "--max-steps", "1", "--no-grid")
    assert limited.exit_code == 0 and "stopped early (max_steps)" in limited.output
    assert "Resume with: stablenew learn resume plan.toml" in limited.output
    timed_out = _learn("resume", "plan.toml", "--timeout", "0")
    assert timed_out.exit_code == 1 and "stopped early (timeout)" in timed_out.output
    assert len(read_records(RECORDS).records) == 1


def test_a_sheet_over_the_megapixel_limit_is_skipped_and_the_exit_status_is_unchanged() -> None:
    Path("app.toml").write_text("[grid]\nmax_megapixels = 0.01\n", encoding="utf-8")
    result = _learn("run", _plan(), "--config", "app.toml")
    assert result.exit_code == 0
    assert "note: contact sheet grid: skipped," in result.output and "MP limit" in result.output
    assert not Path("out/learning/plans").exists()


def test_the_progress_bar_on_a_terminal_shows_the_step_and_its_values() -> None:
    buffer = io.StringIO()
    step = LearningRunStep(index=0, key="k", assignments=(("txt2img", "cfg_scale", 7.0),))
    with StepProgress(Console(file=buffer, force_terminal=True, width=120)) as progress:
        progress.on_step(step, 1, 2, None)
        bar = progress._bar
        assert bar is not None and bar.tasks[0].description == "step 1/2"
        assert bar.tasks[0].fields["values"] == "txt2img.cfg_scale=7.0"
        progress.on_step(step, 1, 2, LearningRunResult(step=step, run_ids=("r",), success=True))
        assert bar.tasks[0].completed == 1


def test_the_first_ctrl_c_cancels_the_token_and_restores_the_handler() -> None:
    token, before = CancelToken(), signal.getsignal(signal.SIGINT)
    with sigint_cancels(token):
        os.kill(os.getpid(), signal.SIGINT)
        assert token.cancelled and token.reason == INTERRUPT_REASON
        assert signal.getsignal(signal.SIGINT) is before  # a second Ctrl-C behaves as usual
    assert signal.getsignal(signal.SIGINT) is before

    other, seen = CancelToken(), []

    def in_a_thread() -> None:
        with sigint_cancels(other):
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [before] and not other.cancelled  # only the main thread can take signals
