"""Seed §5.3: the runner makes one pipeline call per step with the step's overrides, and keeps them."""

from __future__ import annotations

from tests.fakes import FakeClock, FakePipelineRun, MemoryRecordSink

from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.services.learning_execution import LearningExecutionContext, LearningExecutionRunner

BASE = parse_pipeline_config(
    {
        "prompt": "a lighthouse at dusk",
        "txt2img": {"sampler_name": "Euler a", "steps": 20, "cfg_scale": 7.0, "seed": 42},
        "img2img": {"denoising_strength": 0.35},
    }
)


def _plan():
    return build_plan(
        name="cfg-and-steps",
        base=BASE,
        seed=1234,
        axes=[
            {"stage": "txt2img", "variable": "cfg_scale", "values": "4, 8"},
            {"stage": "txt2img", "variable": "steps", "values": [10, 30]},
        ],
    )


def test_one_pipeline_call_per_step_with_the_steps_overrides() -> None:
    fake = FakePipelineRun()
    runner = LearningExecutionRunner(pipeline_run=fake, clock=FakeClock(tick_s=0.1))

    runner.run(_plan())

    assert len(fake.calls) == 4
    seen = [(c.config.txt2img.get("cfg_scale"), c.config.txt2img.get("steps")) for c in fake.calls]
    assert seen == [(4.0, 10), (8.0, 10), (4.0, 30), (8.0, 30)]  # the first axis varies fastest
    for call in fake.calls:
        assert call.config.txt2img.get("seed") == 1234 and call.config.img2img.get("seed") == 1234
        assert call.config.txt2img.get("sampler_name") == "Euler a"
        assert call.config.img2img.get("denoising_strength") == 0.35
        assert call.learning_context is not None and call.learning_context.run_type == "learning"
    assert BASE.txt2img.get("cfg_scale") == 7.0 and BASE.txt2img.get("seed") == 42  # the base is untouched


def test_the_aggregate_has_one_result_per_step_with_variables_and_values() -> None:
    plan = _plan()
    result = LearningExecutionRunner(pipeline_run=FakePipelineRun(), clock=FakeClock()).run(plan)

    assert result.plan is not None and result.plan.name == "cfg-and-steps"
    assert [r.step_index for r in result.step_results] == [0, 1, 2, 3]
    assert [r.variables for r in result.step_results][1] == {"txt2img.cfg_scale": 8.0, "txt2img.steps": 10}
    assert [r.variable for r in result.step_results] == ["cfg_scale"] * 4
    assert [r.value for r in result.step_results] == [4.0, 8.0, 4.0, 8.0]
    assert all(r.success and r.run_ids for r in result.step_results)
    assert len({r.step_key for r in result.step_results}) == 4
    summary = result.summary
    assert (summary.total_steps, summary.executed, summary.succeeded, summary.failed) == (4, 4, 4, 0)
    assert summary.not_run == 0 and summary.stop_reason is None and not summary.cancelled


def test_each_run_gets_the_sink_and_writes_exactly_one_record() -> None:
    sink = MemoryRecordSink()
    runner = LearningExecutionRunner(pipeline_run=FakePipelineRun(), clock=FakeClock(), record_sink=sink)

    result = runner.run(_plan(), LearningExecutionContext(metadata={"experiment_name": "exp-1", "team": "a"}))

    assert [r.run_id for r in sink.records] == list(result.run_ids)
    learning = sink.records[0].learning
    assert learning["run_type"] == "learning" and learning["experiment_name"] == "exp-1"
    assert learning["plan_id"] == result.plan.id and learning["step_index"] == 0
    assert learning["variables"] == {"txt2img.cfg_scale": 4.0, "txt2img.steps": 10}
    assert learning["tags"]["team"] == "a" and learning["tags"]["plan_seed"] == 1234
