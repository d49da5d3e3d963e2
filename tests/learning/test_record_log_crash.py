"""Writers killed with SIGKILL mid-stream never leave a corrupt log: every acknowledged record survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.learning.records_helpers import record

from stablenew.adapters.records import LearningRecordWriter, read_records

REPO = Path(__file__).resolve().parents[2]  # the child imports tests.learning.records_helpers
# A child that appends records forever, printing each run id once its append has returned.
CHILD = """
import sys
from stablenew.adapters.records import LearningRecordWriter
from tests.learning.records_helpers import record
writer = LearningRecordWriter(sys.argv[1])
number = 0
while True:
    run_id = f"{sys.argv[2]}-{number}"
    writer.append_record(record(run_id))
    print(run_id, flush=True)
    number += 1
"""


def _kill_after(path: Path, name: str, acknowledged: int) -> list[str]:
    """Start a writer process, SIGKILL it once it has acknowledged `acknowledged` appends."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), name], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    acked = [child.stdout.readline().strip() for _ in range(acknowledged)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return acked


def test_sigkilled_writers_lose_no_acknowledged_record_and_leave_no_corruption(tmp_path: Path) -> None:
    path = tmp_path / "learning_records.jsonl"
    acked: list[str] = []
    for round_number in range(4):
        acked += _kill_after(path, f"k{round_number}", 25 + 10 * round_number)
        time.sleep(0.01)
    report = read_records(path)
    assert report.clean, report.corrupt
    found = {r.run_id for r in report.records}
    assert set(acked) <= found  # killed between appends or mid-append: nothing acknowledged is lost
    LearningRecordWriter(path).append_record(record("after-the-crashes"))
    after = read_records(path)
    assert after.clean and after.torn_tail is None
    assert after.records[-1].run_id == "after-the-crashes"
    assert len(after.records) == len(report.records) + 1
