"""dataset: `stablenew dataset build` to Parquet over a 1,000,000-record log and 200,000 ratings, as a
real process (seconds, peak RSS), beside a plain DuckDB read_json scan of the same JSONL."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stablenew.adapters.records.feedback_log import encode_event
from stablenew.domain.feedback.events import EventHeader, Rating

RECORDS, RATINGS, RATERS = 1_000_000, 200_000, 40
SECONDS_TARGET, MEMORY_TARGET, RATIO_TARGET = 10.0, 2**30, 0.5
PLAN = """[plan]
name = "bench-dataset"
seed = 7
images_per_step = 1

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 8"

[base]
prompt = "a lighthouse at dusk, oil painting"
negative_prompt = "blurry"

[base.txt2img]
width = 64
height = 64
steps = 4
"""
DUCKDB_SCAN = """import duckdb, sys
rows = duckdb.sql(f"SELECT count(*), avg(total_duration_s), count(DISTINCT backend) FROM "
                  f"read_json('{sys.argv[1]}', format='newline_delimited', maximum_object_size=1048576)")
print(rows.fetchall())"""
DUCKDB_CONVERT = """import duckdb, sys
duckdb.execute(f"COPY (SELECT * FROM read_json('{sys.argv[1]}', format='newline_delimited', "
               f"maximum_object_size=1048576)) TO '{sys.argv[2]}' (FORMAT parquet)")"""


def measure(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in bytes) of one real process that must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def _template(folder: Path) -> bytes:
    """One line of a real `learn run` (one txt2img image): records as users get them."""
    (folder / "plan.toml").write_text(PLAN, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "stablenew", "learn", "run", "plan.toml", "--max-steps", "1",
                    "--no-grid", "--records", "seed.jsonl", "--output", "out", "--backend", "procedural"],
                   cwd=folder, check=True, capture_output=True)
    return (folder / "seed.jsonl").read_bytes().splitlines()[0]


def _run_id(number: int) -> str:
    return f"20260101T000000-{number:010d}"


def _lines(template: bytes, count: int) -> Iterator[bytes]:
    """`count` copies of the template, each with its own run id (and so its own image paths)."""
    from stablenew.adapters.records.checksum import seal

    data = json.loads(template)
    old = data["run_id"].encode()
    body = template[: template.rindex(b',"crc32c"')] + b"}" if b'"crc32c"' in template else template
    for number in range(count):
        yield seal(body.replace(old, _run_id(number).encode())) + b"\n"


def _ratings(template: bytes, records: int, count: int) -> Iterator[bytes]:
    """`count` ratings by RATERS raters: nine in ten of one final image, one in ten of a whole run."""
    data = json.loads(template)
    image = data["images"][0].replace(data["run_id"], "{run}")
    chance, start = random.Random(11), datetime(2026, 2, 1, tzinfo=UTC)
    for number in range(count):
        run_id = _run_id(chance.randrange(records))
        header = EventHeader(f"{number:032x}", start + timedelta(seconds=number), f"rater-{number % RATERS}")
        target = {"run_id": run_id} if number % 10 == 0 else {"image": image.replace("{run}", run_id)}
        yield encode_event(Rating(header, 1 + chance.randrange(5), **target))


def main(records: int = RECORDS, ratings: int = RATINGS) -> bool:
    """Generate the log and the ratings, time the build beside the DuckDB scan, print one line each."""
    base = os.environ.get("BENCH_DIR") or os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bench-dataset-", dir=base) as name:
        folder = Path(name)
        template = _template(folder)
        log, feedback = folder / "log.jsonl", folder / "feedback.jsonl"
        started = time.perf_counter()
        with log.open("wb") as handle:
            handle.writelines(_lines(template, records))
        with feedback.open("wb") as handle:
            handle.writelines(_ratings(template, records, ratings))
        size = log.stat().st_size
        print(f"dataset: {records:,} records ({size / 2**20:,.0f} MB, {size // records:,} bytes each, "
              f"{len(json.loads(template)['stage_events'])} stage(s)), {ratings:,} ratings, "
              f"made in {time.perf_counter() - started:.1f} s")
        duck_s, duck_cpu, duck_rss = measure([sys.executable, "-c", DUCKDB_SCAN, str(log)], folder)
        print(f"dataset: DuckDB read_json scan (baseline) {duck_s:6.2f} s ({duck_cpu:6.2f} s CPU) "
              f"{duck_rss / 2**20:5.0f} MB peak RSS  (count + 2 aggregates: reads 2 fields)")
        full_s, full_cpu, full_rss = measure([sys.executable, "-c", DUCKDB_CONVERT, str(log), "all.parquet"],
                                             folder)
        print(f"dataset: DuckDB JSONL → Parquet, all fields {full_s:6.2f} s ({full_cpu:6.2f} s CPU) "
              f"{full_rss / 2**20:5.0f} MB peak RSS  (SELECT * FROM read_json: every field)")
        build_s, build_cpu, build_rss = measure(
            [sys.executable, "-m", "stablenew", "dataset", "build", "ds.parquet", "--records", str(log),
             "--feedback", str(feedback)], folder)
        ratio = duck_s / build_s
        ok = build_s <= SECONDS_TARGET and build_rss <= MEMORY_TARGET and ratio >= RATIO_TARGET
        print(f"dataset: dataset build to Parquet        {build_s:6.2f} s ({build_cpu:6.2f} s CPU) "
              f"{build_rss / 2**20:5.0f} MB peak RSS; ratio {ratio:.2f} to the scan "
              f"({duck_cpu / build_cpu:.2f} in CPU seconds), {full_s / build_s:.2f} to the all-field "
              f"conversion (targets ≤ {SECONDS_TARGET:.0f} s, ≤ 1 GB, ratio ≥ {RATIO_TARGET})"
              + ("" if ok else "  MISSED"))
    return ok


if __name__ == "__main__":
    main()
