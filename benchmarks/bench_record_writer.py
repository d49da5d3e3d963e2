"""record_writer: durable appends/s of LearningRecordWriter vs a bare locked write+fsync loop, same bytes."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stablenew.adapters.records import LearningRecordWriter
from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.run.results import ImageArtifact, PipelineRunResult, StageEvent

TARGET = 0.5
ROUNDS, APPENDS_PER_ROUND = 5, 400
CONFIG = {
    "prompt": "a lighthouse at dusk, oil painting, dramatic clouds, warm rim light",
    "negative_prompt": "blurry, lowres, jpeg artifacts",
    "prompt_pack": "coast",
    "prompt_id": "lighthouse-01",
    "txt2img": {
        "model": "sd15.safetensors",
        "sampler_name": "DPM++ 2M",
        "scheduler": "Karras",
        "steps": 28,
        "cfg_scale": 6.5,
        "width": 768,
        "height": 512,
        "seed": -1,
    },
    "img2img": {"denoising_strength": 0.35},
    "adetailer": {"ad_model": "face_yolov8n.pt", "ad_confidence": 0.35},
    "upscale": {"upscaler": "R-ESRGAN 4x+", "upscaling_resize": 2.0},
}


def realistic_record() -> LearningRecord:
    """A record as a real 4-stage run leaves it (paths, hashes, per-stage params and timings)."""
    config = parse_pipeline_config(CONFIG)
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    run_id = "20260101T120000-0123456789"
    events = []
    for index, stage in enumerate(config.enabled_stages(), start=1):
        at = start + timedelta(seconds=3 * index)
        image = ImageArtifact(
            path=f"output/runs/{run_id}/{index:02d}-{stage.stage}-000.png",
            sha256=f"{index * 7919:064x}",
            width=768,
            height=512,
            seed=1234567,
        )
        params = {**stage.params, "seed": 1234567, "all_seeds": [1234567], "model": "sd15.safetensors"}
        events.append(
            StageEvent(
                stage=stage.stage,
                started_at=at,
                ended_at=at + timedelta(seconds=2.9),
                duration_s=2.912345,
                outcome="success",
                images=(image,),
                params=params,
            )
        )
    result = PipelineRunResult(
        run_id=run_id,
        started_at=start,
        ended_at=start + timedelta(seconds=12),
        success=True,
        events=tuple(events),
        backend="a1111",
    )
    return build_learning_record(config, result)


def bare_loop(path: Path, line: bytes) -> Callable[[int], None]:
    """The floor: one fd opened once, flock + one write() + fsync + unlock per line."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def append(count: int) -> None:
        for _ in range(count):
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    return append


def writer_loop(path: Path, record: LearningRecord) -> Callable[[int], None]:
    """The real thing: LearningRecordWriter.append_record (encodes the record every time)."""
    writer = LearningRecordWriter(path)

    def append(count: int) -> None:
        for _ in range(count):
            writer.append_record(record)

    return append


def _timed(append: Callable[[int], None], count: int) -> float:
    start = time.perf_counter()
    append(count)
    return time.perf_counter() - start


def main() -> bool:
    """Interleave rounds of both loops in one run; print appends/s of each and the ratio."""
    record = realistic_record()
    line = encode_record(record)
    base = os.environ.get("BENCH_DIR") or os.getcwd()  # the disk the records would live on, not a tmpfs
    with tempfile.TemporaryDirectory(prefix="bench-records-", dir=base) as folder:
        writer = writer_loop(Path(folder) / "writer.jsonl", record)
        bare = bare_loop(Path(folder) / "bare.jsonl", line)
        writer(20), bare(20)  # warm up: open files, first allocation
        writer_s = bare_s = 0.0
        for _ in range(ROUNDS):
            writer_s += _timed(writer, APPENDS_PER_ROUND)
            bare_s += _timed(bare, APPENDS_PER_ROUND)
        total = ROUNDS * APPENDS_PER_ROUND
        lines_ok = (Path(folder) / "writer.jsonl").read_bytes() == line * (total + 20)
    writer_rate, bare_rate = total / writer_s, total / bare_s
    ratio = writer_rate / bare_rate
    verdict = "" if ratio >= TARGET and lines_ok else "  MISSED" if lines_ok else "  BAD OUTPUT"
    print(
        f"record_writer: LearningRecordWriter {writer_rate:,.0f} appends/s, bare locked write+fsync "
        f"{bare_rate:,.0f} appends/s, ratio {ratio:.2f} (target ≥ {TARGET}){verdict}"
    )
    print(f"record_writer: {len(line):,} bytes per record, {total:,} durable appends each, in {base}")
    return ratio >= TARGET and lines_ok


if __name__ == "__main__":
    main()
