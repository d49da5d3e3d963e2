"""recommend: `stablenew recommend --plan … --json` over a 1,000,000-record log and 200,000 ratings, as a
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
from typing import Any

from benchmarks.bench_dataset import DUCKDB_SCAN, measure
from stablenew.adapters.records.checksum import seal
from stablenew.adapters.records.feedback_log import encode_event
from stablenew.domain.feedback.events import EventHeader, Rating

RECORDS, RATINGS, RATERS = 1_000_000, 200_000, 40
SECONDS_TARGET, MEMORY_TARGET, RATIO_TARGET = 10.0, 2**30, 0.5
PLAN = """[plan]
name = "bench-recommend"
seed = 7

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "4, 6, 8, 10"

[[axes]]
stage = "txt2img"
variable = "sampler_name"
values = "Euler a, DDIM"

[base]
prompt = "a lighthouse at dusk, oil painting"

[base.txt2img]
width = 64
height = 64
steps = 4
"""
TRUTH = {4.0: -0.6, 6.0: 0.0, 8.0: 0.5, 10.0: 0.1}  # cfg effect; DDIM +0.3


def _templates(folder: Path) -> list[bytes]:
    """One line per step of a real `learn run` of the plan (8 steps, one txt2img image each)."""
    (folder / "plan.toml").write_text(PLAN, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "stablenew", "learn", "run", "plan.toml", "--no-grid",
                    "--records", "seed.jsonl", "--output", "out", "--backend", "procedural"],
                   cwd=folder, check=True, capture_output=True)
    return (folder / "seed.jsonl").read_bytes().splitlines()


def _run_id(number: int) -> str:
    return f"20260101T000000-{number:010d}"


def _lines(templates: list[bytes], count: int) -> Iterator[bytes]:
    """`count` records: record n copies step n % 8 with its own run id, and belongs to one of
    count / 50 steps (its step key gets a suffix), as if the plan had been re-run with many seeds."""
    steps = max(len(templates), count // 50)
    parsed = [json.loads(t) for t in templates]
    bodies = [t[: t.rindex(b',"crc32c"')] + b"}" if b'"crc32c"' in t else t for t in templates]
    for number in range(count):
        which = number % len(templates)
        data = parsed[which]
        key = data["learning"]["step_key"]
        body = bodies[which].replace(data["run_id"].encode(), _run_id(number).encode())
        body = body.replace(key.encode(), f"{key}-{number % steps // len(templates)}".encode())
        yield seal(body) + b"\n"


def _ratings(templates: list[bytes], records: int, count: int) -> Iterator[bytes]:
    """`count` ratings by RATERS raters of random final images, stars from TRUTH plus noise."""
    parsed = [json.loads(t) for t in templates]
    chance, start = random.Random(11), datetime(2026, 2, 1, tzinfo=UTC)
    for number in range(count):
        record = chance.randrange(records)
        data = parsed[record % len(templates)]
        values = data["learning"]["variables"]
        ddim = 0.3 if values["txt2img.sampler_name"] == "DDIM" else 0.0
        mean = 3 + TRUTH[values["txt2img.cfg_scale"]] + ddim
        stars = max(1, min(5, round(mean + chance.gauss(0, 1))))
        image = data["images"][0].replace(data["run_id"], _run_id(record))
        header = EventHeader(f"{number:032x}", start + timedelta(seconds=number), f"rater-{number % RATERS}")
        yield encode_event(Rating(header, stars, image=image))


def _measure_json(command: list[str], cwd: Path) -> tuple[float, float, int, dict[str, Any]]:
    """(wall seconds, CPU seconds, peak RSS in bytes, the JSON it printed) of one real process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{command} failed")
        out.seek(0)
        answer = json.loads(out.read())
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, answer


def main(records: int = RECORDS, ratings: int = RATINGS) -> bool:
    """Generate the log and the ratings, time recommend beside the DuckDB scan, print one line each."""
    base = os.environ.get("BENCH_DIR") or os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bench-recommend-", dir=base) as name:
        folder = Path(name)
        templates = _templates(folder)
        log, feedback = folder / "log.jsonl", folder / "feedback.jsonl"
        started = time.perf_counter()
        with log.open("wb") as handle:
            handle.writelines(_lines(templates, records))
        with feedback.open("wb") as handle:
            handle.writelines(_ratings(templates, records, ratings))
        size = log.stat().st_size
        print(f"recommend: {records:,} records ({size / 2**20:,.0f} MB), {ratings:,} ratings, "
              f"made in {time.perf_counter() - started:.1f} s")
        duck_s, duck_cpu, duck_rss = measure([sys.executable, "-c", DUCKDB_SCAN, str(log)], folder)
        print(f"recommend: DuckDB read_json scan (baseline) {duck_s:6.2f} s ({duck_cpu:6.2f} s CPU) "
              f"{duck_rss / 2**20:5.0f} MB peak RSS")
        command = [sys.executable, "-m", "stablenew", "recommend", "--plan", "plan.toml", "--json",
                   "--records", str(log), "--feedback", str(feedback)]
        rec_s, rec_cpu, rec_rss, answer = _measure_json(command, folder)
        ratio = duck_s / rec_s
        ok = rec_s <= SECONDS_TARGET and rec_rss <= MEMORY_TARGET and ratio >= RATIO_TARGET
        print(f"recommend: recommend --plan --json         {rec_s:6.2f} s ({rec_cpu:6.2f} s CPU) "
              f"{rec_rss / 2**20:5.0f} MB peak RSS, ratio {ratio:.2f} to the scan; {answer['n_ratings']:,} "
              f"ratings of {answer['n_steps']:,} steps → {answer['verdict']} {answer['pick']} "
              f"(targets ≤ {SECONDS_TARGET:.0f} s, ≤ 1 GB, ratio ≥ {RATIO_TARGET})"
              + ("" if ok else "  MISSED"))
    return ok


if __name__ == "__main__":
    main()
