"""record_reader: a 1,000,000-record log of many plans; learn status, resume start-up, records check and
records stats as real processes (seconds, peak RSS), beside DuckDB read_json and an orjson line loop."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from stablenew.adapters.records.checksum import seal
from stablenew.adapters.records.plan_index import index_path_for
from stablenew.domain.plan.plan import plan_id_for

RECORDS, PLANS, MEASURED_STEPS, PENDING = 1_000_000, 2_000, 500, 10
START_TARGET_S, MEMORY_TARGET = 2.0, 200 * 2**20
CPU = [0.0]  # CPU seconds (user + system) of the last measured process: wall time on a shared machine
PLAN = """[plan]
name = "bench-measured"
seed = 7

[[axes]]
stage = "txt2img"
variable = "cfg_scale"
values = "1-25 (+0.25)"

[[axes]]
stage = "txt2img"
variable = "steps"
values = "10-14"

[base]
prompt = "a lighthouse at dusk, oil painting"
negative_prompt = "blurry"

[base.txt2img]
width = 64
height = 64
"""
ORJSON_LOOP = "import orjson,sys\nfor line in open(sys.argv[1],'rb'): orjson.loads(line)"
DUCKDB_SCAN = """import duckdb, sys
rows = duckdb.sql(f"SELECT count(*), avg(total_duration_s), count(DISTINCT backend) FROM "
                  f"read_json('{sys.argv[1]}', format='newline_delimited', maximum_object_size=1048576)")
print(rows.fetchall())"""


def _stablenew(*args: str) -> list[str]:
    return [sys.executable, "-m", "stablenew", *args]


def measure(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in bytes, exit code) of one real process; its CPU seconds go to CPU."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    CPU[0] = usage.ru_utime + usage.ru_stime
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{command} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss * 1024, process.returncode


def _templates(folder: Path) -> list[bytes]:
    """Two lines of the measured plan, written by a real `learn run` (records as users get them)."""
    (folder / "plan.toml").write_text(PLAN, encoding="utf-8")
    subprocess.run(_stablenew("learn", "run", "plan.toml", "--max-steps", "2", "--no-grid", "--records",
                              "seed.jsonl", "--output", "out", "--backend", "procedural"),
                   cwd=folder, check=True, capture_output=True)
    return (folder / "seed.jsonl").read_bytes().splitlines()


def _step_keys(folder: Path) -> list[str]:
    from stablenew.adapters.files import load_plan
    from stablenew.domain.plan.steps import expand_plan

    return [step.key for step in expand_plan(load_plan(folder / "plan.toml"))]


def _lines(template: bytes, keys: list[str], count: int) -> Iterator[bytes]:
    """`count` lines: the measured plan's steps (but the last PENDING) spread evenly, the rest spread
    over PLANS other plans and three backends; each with its own run id and a fresh checksum."""
    import orjson

    data = orjson.loads(template)
    plan_id, run_id, key = data["learning"]["plan_id"], data["run_id"], data["learning"]["step_key"]
    body = template[: template.rindex(b',"crc32c"')] + b"}"
    mine = keys[: len(keys) - PENDING]
    every = count // len(mine)
    others = [plan_id_for(f"bench-plan-{n}").encode() for n in range(PLANS)]
    backends = [b'"backend":"procedural"', b'"backend":"a1111"', b'"backend":"comfyui"']
    for number in range(count):
        line = body.replace(run_id.encode(), f"{run_id[:-9]}{number:09d}".encode())
        if number % every == 0 and number // every < len(mine):
            line = line.replace(key.encode(), mine[number // every].encode())
        else:
            line = line.replace(plan_id.encode(), others[number % PLANS])
            line = line.replace(backends[0], backends[number % 3])
        yield seal(line) + b"\n"


def _row(name: str, seconds: float, rss: int, note: str = "") -> str:
    return (f"record_reader: {name:<34} {seconds:7.2f} s ({CPU[0]:6.2f} s CPU) {rss / 2**20:6.0f} MB "
            f"peak RSS{note}")


def main(records: int = RECORDS) -> bool:
    """Generate the log, measure every reader beside the baselines, print one line each."""
    base = os.environ.get("BENCH_DIR") or os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bench-reader-", dir=base) as name:
        folder = Path(name)
        template = _templates(folder)[0]
        log = folder / "log.jsonl"
        started = time.perf_counter()
        with log.open("wb") as handle:
            for line in _lines(template, _step_keys(folder), records):
                handle.write(line)
        size = log.stat().st_size
        print(f"record_reader: {records:,} records of {PLANS + 1:,} plans, {size / 2**20:,.0f} MB "
              f"({size // records:,} bytes/record), made in {time.perf_counter() - started:.1f} s")
        common = ["--records", str(log), "--output", "out", "--backend", "procedural"]
        orjson_s, orjson_rss, _ = measure([sys.executable, "-c", ORJSON_LOOP, str(log)], folder)
        print(_row("orjson line loop (baseline)", orjson_s, orjson_rss))
        try:
            duck_s, duck_rss, _ = measure([sys.executable, "-c", DUCKDB_SCAN, str(log)], folder)
            print(_row("DuckDB read_json count+aggregate", duck_s, duck_rss))
        except RuntimeError as exc:
            print(f"record_reader: DuckDB scan failed: {exc}")
        check_s, check_rss, check_rc = measure(_stablenew("records", "check", str(log)), folder)
        ok_check = check_s <= 2 * orjson_s and check_rss <= MEMORY_TARGET and check_rc == 0
        print(_row("records check", check_s, check_rss,
                   f"  {check_s / orjson_s:.2f}x the orjson loop (target ≤ 2x, ≤ 200 MB)"
                   + ("" if ok_check else "  MISSED")))
        stats_s, stats_rss, _ = measure(_stablenew("records", "stats", str(log)), folder)
        print(_row("records stats", stats_s, stats_rss, f"  {stats_s / orjson_s:.2f}x the orjson loop"))
        index_path_for(log).unlink(missing_ok=True)
        cold_s, cold_rss, _ = measure(_stablenew("learn", "status", "plan.toml", *common), folder)
        print(_row("learn status, index built now", cold_s, cold_rss, "  (once per log, then incremental)"))
        ok = ok_check
        for label, args in (
            ("learn status, index current", ["learn", "status", "plan.toml", *common]),
            ("learn resume, start-up + 1 step",
             ["learn", "resume", "plan.toml", "--max-steps", "1", "--no-grid", *common]),
        ):
            seconds, rss, _ = measure(_stablenew(*args), folder)
            met = seconds <= START_TARGET_S and rss <= MEMORY_TARGET
            ok = ok and met
            print(_row(label, seconds, rss, ("" if met else "  MISSED") + " (target ≤ 2 s, ≤ 200 MB)"))
    return ok


if __name__ == "__main__":
    main()
