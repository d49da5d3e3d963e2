"""Logs of many plans for the reader tests: real records, encoded by the real writer's encoder."""

from __future__ import annotations

from pathlib import Path

from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.domain.records.record import LearningContext, LearningRecord
from tests.learning.records_helpers import record


def plan_record(run_id: str, plan: int, step: int, *, success: bool = True) -> LearningRecord:
    """A record of step `step` of plan `plan-{plan}`."""
    context = LearningContext(plan_id=f"plan-{plan:04d}", plan_name=f"sweep {plan}", step_key=f"k{step}",
                              step_index=step, variables={"txt2img.cfg_scale": float(step)})
    data = record(run_id, context).to_dict()
    data["success"] = success
    return LearningRecord(data)


def lines_of_plans(count: int, plans: int) -> list[bytes]:
    """`count` encoded lines: every 5th a passive run, the others spread over `plans` plans."""
    lines = []
    for number in range(count):
        if number % 5 == 4:
            lines.append(encode_record(record(f"passive-{number}")))
        else:
            lines.append(encode_record(plan_record(f"run-{number}", number % plans, number)))
    return lines


def write_log(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path
