"""The reader's memory does not grow with the log: a subprocess reads a 60 MB log three ways (check,
one plan through the index, stats) and its peak RSS grows by far less than the file's size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.records.log_helpers import lines_of_plans

SCRIPT = """
import resource, sys
from stablenew.adapters.records import JsonlRecordSource
from stablenew.domain.records.stats import log_stats

source = JsonlRecordSource(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
scan = source.scan()
good = sum(1 for _ in scan)
mine = sum(1 for _ in source.iter_records("plan-0003"))
stats = log_stats(source.iter_records())
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before * 1024, after * 1024, good, mine, stats.records, scan.health.clean)
"""


def test_reading_a_big_log_keeps_peak_memory_far_below_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    block = b"".join(lines_of_plans(300, plans=7))
    repeats = 60_000_000 // len(block) + 1
    with path.open("wb") as handle:
        for _ in range(repeats):
            handle.write(block)
    size = path.stat().st_size
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], capture_output=True, text=True,
                          check=True, timeout=120)
    before, after, good, mine, counted, clean = done.stdout.split()
    assert int(good) == int(counted) == 300 * repeats and clean == "True"
    assert int(mine) == 35 * repeats  # the lines of plan-0003, found through the index
    growth = int(after) - int(before)
    assert size > 60_000_000 and growth < size / 6, f"peak RSS grew {growth:,} bytes for a {size:,}-byte log"
