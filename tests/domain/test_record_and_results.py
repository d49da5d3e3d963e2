"""LearningRecord, LearningContext, StageEvent and PipelineRunResult values; build_learning_record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.record import RECORD_SCHEMA, LearningContext, LearningRecord
from stablenew.domain.run.failures import FailureKind
from stablenew.domain.run.results import ImageArtifact, PipelineRunResult, StageEvent
from tests.learning.records_helpers import four_stage_config, run_result

T = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_record_must_carry_its_schema_and_required_keys() -> None:
    with pytest.raises(ValueError, match=r"not a stablenew\.learning-record/1 record"):
        LearningRecord({"schema": "other"})
    with pytest.raises(ValueError, match="record without 'config'"):
        LearningRecord({"schema": RECORD_SCHEMA, "run_id": "r", "timestamp": "t", "success": True})
    record = LearningRecord(
        {"schema": RECORD_SCHEMA, "run_id": "r", "timestamp": "t", "success": True, "config": {}}
    )
    assert record.run_id == "r" and record.learning is None and record.to_dict()["config"] == {}
    with pytest.raises(AttributeError):
        _ = record.nope


def test_learning_context_to_dict_defaults_experiment_name_to_plan_name() -> None:
    context = LearningContext(
        plan_id="p", plan_name="sweep", step_key="k", step_index=1, variables={"a": 1}, tags={"t": "x"}
    )
    assert context.to_dict() == {
        "plan_id": "p",
        "plan_name": "sweep",
        "experiment_name": "sweep",
        "step_key": "k",
        "step_index": 1,
        "variables": {"a": 1},
        "run_type": "learning",
        "one_click_action_id": None,
        "tags": {"t": "x"},
    }


def test_result_helpers() -> None:
    image = ImageArtifact(path="a.png", sha256="0" * 64, width=8, height=8, seed=1)
    events = (
        StageEvent("txt2img", T, T, 1.5, "success", images=(image,), params={"seed": 1}),
        StageEvent("upscale", T, T, 0.25, "failed", error="x", error_kind=FailureKind.TIMEOUT),
    )
    result = PipelineRunResult(run_id="r", started_at=T, ended_at=T, success=False, events=events)
    assert result.duration_s == 1.75 and result.images == (image,)
    assert result.stage_images() == {"txt2img": ["a.png"], "upscale": []}
    assert events[1].to_dict()["error_kind"] == "timeout" and events[0].to_dict()["images"][0]["seed"] == 1
    assert PipelineRunResult(run_id="r", started_at=T, ended_at=T, success=True).images == ()


def test_a_failed_run_record_keeps_the_error_and_only_the_stages_that_ran() -> None:
    config = four_stage_config()
    record = build_learning_record(config, run_result(config, fail_stage="adetailer"))
    assert record.success is False and record.error == "adetailer: server said no"
    assert [e["stage"] for e in record.stage_events] == ["txt2img", "img2img", "adetailer"]
    assert record.stage_events[-1]["error_kind"] == "server_error" and record.outputs["adetailer"] == []
    assert record.images == ["output/runs/run-1/02-img2img-000.png"]  # the last images produced
    assert record.stages == ["txt2img", "img2img", "adetailer", "upscale"]  # what was asked
    assert record.total_duration_s == 1.5 and record.seed == 1234
