"""Benchmark: a 10,000-step learning plan on an instant backend, records on (fsync per record)."""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from stablenew.adapters.clock import SystemClock
from stablenew.adapters.records import LearningRecordWriter, read_records
from stablenew.domain.config.pipeline import effective_stages
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.run.results import SUCCESS, PipelineRunResult, StageEvent
from stablenew.domain.services.learning_execution import LearningExecutionContext, LearningExecutionRunner

TARGET_STEPS_PER_S = 2_000
BASE = {
    "prompt": "a lighthouse at dusk, oil painting",
    "negative_prompt": "blurry",
    "txt2img": {"sampler_name": "Euler a", "steps": 20, "cfg_scale": 7.0, "width": 512, "height": 512},
    "img2img": {"denoising_strength": 0.35},
    "upscale": {"upscaler": "Lanczos", "upscaling_resize": 2.0},
}


class InstantPipelineRun(PipelineRun):
    """Builds each run's result and record the way PipelineRunner does, with no image work."""

    def __init__(self) -> None:
        self.clock = SystemClock()

    def run(
        self, config, *, record_sink=None, learning_context=None, cancel=None, progress=None
    ) -> PipelineRunResult:
        now = self.clock.now()
        events = tuple(
            StageEvent(
                stage=s.stage, started_at=now, ended_at=now, duration_s=0.0, outcome=SUCCESS, params=s.params
            )
            for s in effective_stages(config)
        )
        result = PipelineRunResult(
            run_id=f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:10]}",
            started_at=now,
            ended_at=now,
            success=True,
            events=events,
            backend="instant",
        )
        if record_sink is not None:
            record_sink.append_record(build_learning_record(config, result, learning_context))
        return result


def main(steps: int = 10_000) -> float:
    """Run the plan and print steps/s against the target; returns steps/s."""
    base = parse_pipeline_config(BASE)
    cfg_values = f"1-{1 + (steps // 100 - 1) * 0.25} (+0.25)"  # steps / 100 values, cfg 1 … 25.75
    plan = build_plan(
        name="bench-learning-plan",
        base=base,
        seed=1234,
        axes=[
            {"stage": "txt2img", "variable": "steps", "values": "1-100"},
            {"stage": "txt2img", "variable": "cfg_scale", "values": cfg_values},
        ],
    )
    with tempfile.TemporaryDirectory() as folder:
        writer = LearningRecordWriter(Path(folder) / "learning_records.jsonl")
        runner = LearningExecutionRunner(
            pipeline_run=InstantPipelineRun(), clock=SystemClock(), record_sink=writer
        )
        started = time.perf_counter()
        result = runner.run(plan, LearningExecutionContext())
        elapsed = time.perf_counter() - started
        writer.close()
        written = len(read_records(writer.path).records)
    rate = result.summary.succeeded / elapsed
    verdict = "ok" if rate >= TARGET_STEPS_PER_S else "BELOW TARGET"
    print(
        f"learning plan: {result.summary.succeeded} steps, {written} records in {elapsed:.2f} s = "
        f"{rate:,.0f} steps/s (target {TARGET_STEPS_PER_S:,}) {verdict}"
    )
    return rate


if __name__ == "__main__":
    main()
