"""`stablenew records stats`: counts per backend and plan, time span and size, as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.learning.records_helpers import record
from tests.records.log_helpers import lines_of_plans, write_log
from typer.testing import CliRunner

from stablenew.cli import app

runner = CliRunner()


def test_stats_counts_plans_backends_and_the_time_span() -> None:
    path = write_log(Path("log.jsonl"), [*lines_of_plans(10, plans=3), b"junk\n"])
    result = runner.invoke(app, ["records", "stats", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["records"] == 10 and data["plans"] == 3 and data["passive_records"] == 2
    assert data["per_backend"] == {"fake": 10} and data["size_bytes"] == path.stat().st_size
    assert data["per_plan"][0] == {"plan_id": "plan-0000", "plan_name": "sweep 0", "records": 3}
    assert sum(p["records"] for p in data["per_plan"]) == 8
    assert data["first_timestamp"] == data["last_timestamp"] == record().timestamp
    assert data["corrupt_lines"] == 1 and data["torn_tail"] is False

    text = runner.invoke(app, ["records", "stats", str(path)])
    assert text.exit_code == 0
    assert text.stdout.startswith(f"log.jsonl: 10 records (10 ok, 0 failed), 3 plans, 2 outside a plan, "
                                  f"{path.stat().st_size:,} bytes\n")
    assert "backends: fake 10" in text.stdout and "plan sweep 0 (plan-0000): 3 records" in text.stdout
    assert "1 corrupt, 0 torn: run `stablenew records check log.jsonl`" in text.stdout


def test_stats_of_a_missing_log_is_bad_input() -> None:
    result = runner.invoke(app, ["records", "stats", "nope.jsonl"])
    assert result.exit_code == 2 and result.stderr == "error: nope.jsonl: file not found\n"
