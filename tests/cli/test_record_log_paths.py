"""A record log that cannot be written fails the learning step (the record is the product); one that
cannot be read (a directory) is bad input, exit 2, nothing run; a record without a step key is ignored."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.cli import app
from stablenew.domain.records.record import LearningRecord

runner = CliRunner()
PLAN = """[plan]
name = "paths"
seed = 5

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"

[base]
prompt = "a fox"

[base.txt2img]
width = 64
height = 64
"""


def _plan() -> str:
    Path("plan.toml").write_text(PLAN, encoding="utf-8")
    return "plan.toml"


def test_learn_run_whose_records_cannot_be_written_fails_every_step_and_exits_1() -> None:
    result = runner.invoke(app, ["learn", "run", _plan(), "--records", "/dev/full", "--output", "out",
                                 "--no-grid"])
    assert result.exit_code == 1, result.output
    assert "step 1/2 FAILED" in result.stdout and "step 2/2 FAILED" in result.stdout
    assert "2 ran: 0 ok, 2 failed" in result.stdout
    assert "txt2img.cfg_scale=4.0: record NOT written: [Errno 28] No space left on device" in result.stdout
    assert len(list(Path("out/runs").iterdir())) == 2  # the plan went on after the first failure


def test_a_directory_as_the_record_log_is_bad_input_and_nothing_runs() -> None:
    Path("logs").mkdir()
    for command in (["learn", "run", _plan()], ["learn", "status", _plan()], ["records", "show", "run-1"],
                    ["records", "check"]):
        result = runner.invoke(app, [*command, "--records", "logs", "--output", "out"]
                               if command[0] == "learn" else [*command, "--records", "logs"])
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr == "error: logs: cannot be read as a record log (Is a directory)\n", command
        assert result.stdout == ""
    assert not Path("out").exists()


def test_records_without_a_usable_step_key_or_tags_are_not_steps_of_the_plan() -> None:
    first = runner.invoke(app, ["learn", "run", _plan(), "--max-steps", "1", "--output", "out", "--no-grid"])
    assert first.exit_code == 0, first.output
    log = Path("out/learning/learning_records.jsonl")
    (good,) = [json.loads(line) for line in log.read_text().splitlines()]
    learning = good["learning"]
    odd = [{**learning, "step_key": None}, {k: v for k, v in learning.items() if k != "step_key"},
           {**learning, "step_key": 7}, {**learning, "tags": "not a table"}, "not a table"]
    with log.open("ab") as handle:
        for index, value in enumerate(odd):
            handle.write(encode_record(LearningRecord({**good, "run_id": f"odd-{index}", "learning": value})))
    status = runner.invoke(app, ["learn", "status", "plan.toml", "--output", "out"])
    assert status.exit_code == 0, status.output
    assert "2 records in" in status.stdout  # the real step's record and the one with odd tags
    resumed = runner.invoke(app, ["learn", "resume", "plan.toml", "--output", "out", "--no-grid"])
    assert resumed.exit_code == 0, resumed.output
    assert "1 already done, 1 ran: 1 ok" in resumed.stdout
