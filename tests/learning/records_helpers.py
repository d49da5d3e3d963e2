"""Helpers for the record-log tests: a real 4-stage config, a run result and a record built from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.record import LearningContext, LearningRecord
from stablenew.domain.run.failures import FailureKind
from stablenew.domain.run.results import SUCCESS, ImageArtifact, PipelineRunResult, StageEvent

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
FOUR_STAGES = {
    "prompt": "a lighthouse at dusk, oil painting",
    "negative_prompt": "blurry",
    "prompt_pack": "coast",
    "prompt_id": "lighthouse-01",
    "txt2img": {
        "model": "sd15.safetensors",
        "sampler_name": "Euler a",
        "scheduler": "Karras",
        "steps": 20,
        "cfg_scale": 7.0,
        "width": 512,
        "height": 512,
        "seed": -1,
    },
    "img2img": {"denoising_strength": 0.35},
    "adetailer": {"ad_model": "face_yolov8n.pt"},
    "upscale": {"upscaler": "R-ESRGAN 4x+", "upscaling_resize": 2.0},
}


def four_stage_config() -> PipelineConfig:
    """The DESIGN.md example with all four stages enabled."""
    return parse_pipeline_config(FOUR_STAGES)


def run_result(
    config: PipelineConfig, *, run_id: str = "run-1", seed: int = 1234, fail_stage: str | None = None
) -> PipelineRunResult:
    """A result as the runner makes it: one event per stage, one image each, until `fail_stage`."""
    events = []
    for index, stage in enumerate(config.enabled_stages()):
        start = T0 + timedelta(seconds=index)
        failed = stage.stage == fail_stage
        image = ImageArtifact(
            path=f"output/runs/{run_id}/{index + 1:02d}-{stage.stage}-000.png",
            sha256=f"{index:064x}",
            width=512,
            height=512,
            seed=seed,
        )
        events.append(
            StageEvent(
                stage=stage.stage,
                started_at=start,
                ended_at=start + timedelta(seconds=0.5),
                duration_s=0.5,
                outcome="failed" if failed else SUCCESS,
                error="server said no" if failed else None,
                error_kind=FailureKind.SERVER_ERROR if failed else None,
                images=() if failed else (image,),
                params={"seed": seed} if stage.stage != "upscale" else {},
            )
        )
        if failed:
            break
    return PipelineRunResult(
        run_id=run_id,
        started_at=T0,
        ended_at=T0 + timedelta(seconds=len(events)),
        success=fail_stage is None,
        events=tuple(events),
        backend="fake",
        error=f"{fail_stage}: server said no" if fail_stage else None,
    )


def record(run_id: str = "run-1", context: LearningContext | None = None) -> LearningRecord:
    """A realistic record from the 4-stage config."""
    config = four_stage_config()
    return build_learning_record(config, run_result(config, run_id=run_id), context)
