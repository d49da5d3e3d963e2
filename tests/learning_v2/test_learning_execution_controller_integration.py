"""Seed §5.3: a plan built by the adapter runs through the controller; records and results line up."""

from __future__ import annotations

from pathlib import Path

from tests.fakes import FakeClock, FakePipelineRun, MemoryRecordSink

from stablenew.controller.learning_execution_controller import LearningExecutionController
from stablenew.domain.plan.learning_adapter import build_single_variable_plan
from stablenew.domain.records.record import RUN_TYPE_LEARNING

BASE = {
    "prompt": "a lighthouse at dusk",
    "txt2img": {"sampler_name": "Euler a", "steps": 20, "cfg_scale": 7.0},
}


def _controller(sink: MemoryRecordSink, fake: FakePipelineRun) -> LearningExecutionController:
    opened: list[Path] = []

    def factory(path: Path) -> MemoryRecordSink:
        opened.append(path)
        return sink

    controller = LearningExecutionController(
        pipeline_run=fake,
        sink_factory=factory,
        source_factory=factory,
        records_path="logs/records.jsonl",
        clock=FakeClock(),
        seed_source=lambda: 777,
    )
    controller.opened = opened  # type: ignore[attr-defined]
    return controller


def test_adapter_plan_runs_through_the_controller_and_is_recorded() -> None:
    sink, fake = MemoryRecordSink(), FakePipelineRun()
    controller = _controller(sink, fake)
    plan = build_single_variable_plan(
        BASE, stage="txt2img", variable="cfg_scale", values="4-10 (+3)", name="cfg sweep"
    )
    assert controller.get_last_learning_execution_result_for_tests() is None

    result = controller.run_learning_plan(
        plan, BASE, metadata={"one_click_action_id": "more-contrast", "experiment_name": "contrast"}
    )

    assert controller.opened == [Path("logs/records.jsonl")] * 2  # type: ignore[attr-defined]
    assert len(sink.records) == 3 == len(fake.calls)  # learning hooks: one record per step
    last = controller.get_last_learning_execution_result_for_tests()
    assert last is result and last.summary.executed == 3
    for record, step in zip(sink.records, last.step_results, strict=True):
        learning = record.learning
        assert record.run_type == RUN_TYPE_LEARNING and learning["run_type"] == RUN_TYPE_LEARNING
        assert (
            learning["one_click_action_id"] == "more-contrast" and learning["experiment_name"] == "contrast"
        )
        assert learning["step_key"] == step.step_key and learning["tags"]["variable_name"] == "cfg_scale"
        assert learning["tags"]["variable_value"] == step.value and record.run_id == step.run_ids[0]
        assert learning["tags"]["plan_seed"] == 777  # drawn once and shared by every step
        assert record.config["txt2img"]["seed"] == 777


def test_results_feed_dataset_and_feedback_code_without_glue() -> None:
    sink = MemoryRecordSink()
    controller = _controller(sink, FakePipelineRun(fail_when=lambda c: c.txt2img.get("cfg_scale") == 7.0))
    plan = build_single_variable_plan(BASE, stage="txt2img", variable="cfg_scale", values=[5, 7, 9])

    result = controller.run_learning_plan(plan)

    rows = result.to_rows()  # a dataset builder joins rows to records (and ratings) by run id
    by_run = {record.run_id: record for record in sink.records}
    assert [by_run[row["run_id"]].learning["variables"] for row in rows] == [row["variables"] for row in rows]
    assert [row["success"] for row in rows] == [True, False, True]
    assert rows[1]["error"] == "boom" and rows[0]["plan_name"] == "txt2img.cfg_scale sweep"
    data = result.to_dict()
    assert data["summary"]["failed"] == 1 and data["plan"]["axes"][0]["values"] == [5.0, 7.0, 9.0]
    assert [failure.value for failure in result.failures] == [7.0]


def test_a_second_run_only_runs_what_has_no_successful_record() -> None:
    sink = MemoryRecordSink()
    first = _controller(sink, FakePipelineRun(fail_when=lambda c: c.txt2img.get("cfg_scale") == 7.0))
    plan = build_single_variable_plan(BASE, stage="txt2img", variable="cfg_scale", values=[5, 7, 9])
    first.run_learning_plan(plan)

    again = FakePipelineRun()
    result = _controller(sink, again).run_learning_plan(plan, resume=True)

    assert [c.config.txt2img.get("cfg_scale") for c in again.calls] == [7.0]
    assert result.summary.already_done == 2 and result.summary.succeeded == 1
    assert again.calls[0].config.txt2img.get("seed") == 777 == sink.records[-1].learning["tags"]["plan_seed"]


def test_a_fixed_base_seed_is_the_shared_seed_and_a_seed_axis_draws_none() -> None:
    sink, fake = MemoryRecordSink(), FakePipelineRun()
    controller = _controller(sink, fake)
    seeded = {**BASE, "txt2img": {**BASE["txt2img"], "seed": 31}}
    controller.run_learning_plan(
        build_single_variable_plan(seeded, stage="txt2img", variable="steps", values="5")
    )
    assert sink.records[-1].learning["tags"]["plan_seed"] == 31

    result = controller.run_learning_plan(
        build_single_variable_plan(BASE, stage="txt2img", variable="seed", values="1, 2")
    )
    assert result.plan.seed is None and [c.config.txt2img.get("seed") for c in fake.calls[-2:]] == [1, 2]


def test_status_and_timeout_through_the_controller() -> None:
    sink = MemoryRecordSink()
    controller = _controller(sink, FakePipelineRun())
    plan = build_single_variable_plan(BASE, stage="txt2img", variable="steps", values="5, 6")
    result = controller.run_learning_plan(plan, timeout_s=0.0)
    assert result.summary.stop_reason == "timeout" and result.step_results == ()
    controller.run_learning_plan(plan, max_steps=1)
    status = controller.plan_status(plan)
    assert (len(status.done), len(status.failed), len(status.pending)) == (1, 0, 1)
