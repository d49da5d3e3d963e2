"""The runner's limits: cancellation, timeout, max steps/images, failure isolation, done steps, rebasing."""

from __future__ import annotations

import pytest
from tests.fakes import FakeClock, FakePipelineRun, MemoryRecordSink

from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.errors import PlanError
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.plan.steps import expand_plan
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.results import PipelineRunResult
from stablenew.domain.services.learning_execution import (
    TIMEOUT_REASON,
    LearningExecutionContext,
    LearningExecutionRunner,
)

BASE = parse_pipeline_config(
    {"prompt": "p", "txt2img": {"steps": 20}, "img2img": {"denoising_strength": 0.5}}
)


def _plan(values: str = "1-4", **extra):
    return build_plan(
        name="limits", base=BASE, axes=[{"stage": "txt2img", "variable": "steps", "values": values}], **extra
    )


class CancellingRun(PipelineRun):
    """Cancels the token it is given during call number `at` (like Ctrl-C or a timer mid-step)."""

    def __init__(self, at: int, reason: str = "stop") -> None:
        self.at, self.reason, self.tokens = at, reason, []
        self.inner = FakePipelineRun()

    def run(
        self, config, *, record_sink=None, learning_context=None, cancel=None, progress=None
    ) -> PipelineRunResult:
        self.tokens.append(cancel)
        result = self.inner.run(config, record_sink=None, learning_context=learning_context, cancel=cancel)
        if len(self.tokens) == self.at:
            cancel.cancel(self.reason)
            return PipelineRunResult(
                run_id=result.run_id,
                started_at=result.started_at,
                ended_at=result.ended_at,
                success=False,
                error="txt2img: cancelled",
                cancelled=True,
            )
        return result


class ExplodingRun(FakePipelineRun):
    def run(self, config, **kwargs) -> PipelineRunResult:
        if config.txt2img.get("steps") == 2:
            raise RuntimeError("adapter bug")
        return super().run(config, **kwargs)


def test_cancelling_mid_step_stops_after_that_step_and_the_token_reaches_the_run() -> None:
    token, fake = CancelToken(), CancellingRun(at=2)
    result = LearningExecutionRunner(pipeline_run=fake, clock=FakeClock()).run(
        _plan(), LearningExecutionContext(cancel=token)
    )

    assert fake.tokens == [token, token]
    assert [r.success for r in result.step_results] == [True, False]
    assert result.step_results[1].cancelled and result.summary.cancelled
    assert result.summary.stop_reason == "cancelled" and result.summary.not_run == 2


def test_a_timer_cancelling_with_the_timeout_reason_reports_a_timeout() -> None:
    result = LearningExecutionRunner(
        pipeline_run=CancellingRun(at=1, reason=TIMEOUT_REASON), clock=FakeClock()
    ).run(_plan(), LearningExecutionContext(cancel=CancelToken()))
    assert result.summary.stop_reason == "timeout" and result.summary.executed == 1


def test_a_token_cancelled_before_the_run_runs_nothing() -> None:
    token = CancelToken()
    token.cancel()
    fake = FakePipelineRun()
    result = LearningExecutionRunner(pipeline_run=fake, clock=FakeClock()).run(
        _plan(), LearningExecutionContext(cancel=token)
    )
    assert fake.calls == [] and result.summary.stop_reason == "cancelled" and result.summary.not_run == 4


def test_the_overall_timeout_is_checked_between_steps_on_the_clock_port() -> None:
    clock = FakeClock(tick_s=0.5)  # each fake run reads now() twice: one second per step
    fake = FakePipelineRun(clock=clock)
    result = LearningExecutionRunner(pipeline_run=fake, clock=clock).run(
        _plan(), LearningExecutionContext(timeout_s=2.5)
    )
    assert len(fake.calls) == 3 and result.summary.stop_reason == "timeout" and result.summary.cancelled


def test_a_failed_or_raising_step_is_recorded_and_the_plan_goes_on() -> None:
    sink = MemoryRecordSink()
    result = LearningExecutionRunner(
        pipeline_run=ExplodingRun(fail_when=lambda c: c.txt2img.get("steps") == 3),
        clock=FakeClock(),
        record_sink=sink,
    ).run(_plan())

    assert [r.success for r in result.step_results] == [True, False, False, True]
    assert (
        result.step_results[1].error == "RuntimeError: adapter bug" and result.step_results[1].run_ids == ()
    )
    assert result.step_results[2].error == "boom"
    assert [r.success for r in sink.records] == [True, False, True]  # the raising step left no record
    assert result.summary.failed == 2 and result.summary.stop_reason is None


def test_max_steps_and_max_images_per_step() -> None:
    fake = FakePipelineRun()
    result = LearningExecutionRunner(pipeline_run=fake, clock=FakeClock()).run(
        _plan(images_per_step=4), LearningExecutionContext(max_steps=2, max_images_per_step=3)
    )
    assert [c.config.txt2img.get("batch_size") for c in fake.calls] == [3, 3]
    assert result.summary.stop_reason == "max_steps" and result.summary.not_run == 2


def test_done_steps_are_skipped_and_counted() -> None:
    plan = _plan()
    done = frozenset(step.key for step in expand_plan(plan)[:3])
    fake = FakePipelineRun()
    result = LearningExecutionRunner(pipeline_run=fake, clock=FakeClock()).run(
        plan, LearningExecutionContext(done_step_keys=done, max_steps=5)
    )
    assert [c.config.txt2img.get("steps") for c in fake.calls] == [4]
    assert (
        result.summary.already_done == 3
        and result.summary.not_run == 0
        and result.summary.stop_reason is None
    )


def test_progress_callback_sees_each_step_before_and_after() -> None:
    seen = []
    LearningExecutionRunner(pipeline_run=FakePipelineRun(), clock=FakeClock()).run(
        _plan("1-2"), on_step=lambda step, i, n, result: seen.append((step.index, i, n, result is None))
    )
    assert seen == [(0, 1, 2, True), (0, 1, 2, False), (1, 2, 2, True), (1, 2, 2, False)]


def test_another_base_config_is_checked_and_used() -> None:
    other = parse_pipeline_config({"prompt": "q", "txt2img": {"cfg_scale": 3.0}})
    fake = FakePipelineRun()
    LearningExecutionRunner(pipeline_run=fake, clock=FakeClock()).run(
        _plan("5"), LearningExecutionContext(base_config=other)
    )
    assert fake.calls[0].config.prompt == "q" and fake.calls[0].config.txt2img.get("cfg_scale") == 3.0

    img2img_axis = build_plan(
        name="d",
        base=BASE,
        axes=[{"stage": "img2img", "variable": "denoising_strength", "values": "0.2, 0.4"}],
    )
    with pytest.raises(PlanError) as caught:
        LearningExecutionRunner(pipeline_run=fake, clock=FakeClock()).run(
            img2img_axis, LearningExecutionContext(base_config=other)
        )
    assert caught.value.field == "axes[0].stage" and "not enabled" in str(caught.value)
