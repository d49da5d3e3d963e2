"""build_learning_record: a pure function from config + run result (+ context) to a record."""

from __future__ import annotations

from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig, resolve
from stablenew.domain.records.record import RECORD_SCHEMA, RUN_TYPE_SINGLE, LearningContext, LearningRecord
from stablenew.domain.run.results import PipelineRunResult


def _effective_config(config: PipelineConfig, result: PipelineRunResult) -> dict[str, Any]:
    """The resolved config in file shape, with a random seed (-1) replaced by the seed really used."""
    body = resolve(config).to_dict()
    for event in result.events:
        table = body.get(event.stage)
        used = event.params.get("seed")
        if isinstance(table, dict) and table.get("seed") == -1 and isinstance(used, int):
            table["seed"] = used
    return body


def build_learning_record(
    pipeline_config: PipelineConfig,
    run_result: PipelineRunResult,
    learning_context: LearningContext | None = None,
) -> LearningRecord:
    """Everything needed later to learn from this run: what was asked, what ran, where images are."""
    events = [event.to_dict() for event in run_result.events]
    first_seed = next((e.params.get("seed") for e in run_result.events if "seed" in e.params), None)
    data: dict[str, Any] = {
        "schema": RECORD_SCHEMA,
        "run_id": run_result.run_id,
        "timestamp": run_result.started_at.isoformat(),
        "ended_at": run_result.ended_at.isoformat(),
        "success": run_result.success,
        "cancelled": run_result.cancelled,
        "error": run_result.error,
        "run_type": learning_context.run_type if learning_context else RUN_TYPE_SINGLE,
        "backend": run_result.backend,
        "server": run_result.server or None,
        "prompt": pipeline_config.prompt,
        "negative_prompt": pipeline_config.negative_prompt,
        "prompt_pack": pipeline_config.prompt_pack,
        "prompt_id": pipeline_config.prompt_id,
        "seed": first_seed,
        "config": _effective_config(pipeline_config, run_result),
        "requested_config": pipeline_config.to_dict(),
        "stages": [stage.stage for stage in pipeline_config.enabled_stages()],
        "stage_events": events,
        "stage_summary": {
            e.stage: {"duration_s": round(e.duration_s, 6), "outcome": e.outcome, "images": len(e.images)}
            for e in run_result.events
        },
        "total_duration_s": round(run_result.duration_s, 6),
        "outputs": run_result.stage_images(),
        "images": [image.path for image in run_result.images],
        "learning": learning_context.to_dict() if learning_context else None,
        "metadata": dict(pipeline_config.metadata),
    }
    return LearningRecord(data)
