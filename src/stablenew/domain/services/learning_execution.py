"""LearningExecutionRunner: runs a plan's steps through the PipelineRun port, one record per step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.plan.learning_results import (
    STOP_CANCELLED,
    STOP_MAX_STEPS,
    STOP_TIMEOUT,
    LearningExecutionResult,
    LearningExecutionSummary,
    LearningRunResult,
)
from stablenew.domain.plan.plan import LearningPlan, LearningRunStep
from stablenew.domain.plan.progress import PLAN_SEED_TAG
from stablenew.domain.plan.rules import rebase_plan
from stablenew.domain.plan.steps import derive_step_config, expand_plan
from stablenew.domain.ports.clock import Clock
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.record import LearningContext
from stablenew.domain.run.cancel import CancelToken

TIMEOUT_REASON = "timeout"
# on_step(step, position, total, result): before a step with result None, after it with its result.
StepCallback = Callable[[LearningRunStep, int, int, LearningRunResult | None], None]


@dataclass(frozen=True, slots=True)
class LearningExecutionContext:
    """How to run a plan: another base config, limits, a cancel token, tags, steps already done."""

    base_config: PipelineConfig | None = None
    max_steps: int | None = None
    max_images_per_step: int | None = None
    timeout_s: float | None = None
    cancel: CancelToken | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    done_step_keys: frozenset[str] = frozenset()


def _tags(plan: LearningPlan) -> dict[str, Any]:
    """The record tags every step of `plan` shares."""
    reserved = {"experiment_name", "one_click_action_id"}
    tags = {k: v for k, v in plan.metadata.items() if k not in reserved}
    tags.update(
        {
            PLAN_SEED_TAG: plan.seed,
            "images_per_step": plan.images_per_step,
            "axes": [axis.label for axis in plan.axes],
        }
    )
    return tags


class LearningExecutionRunner:
    """Derives each step's config (base untouched), runs it, records through the run; failures go on."""

    def __init__(
        self, *, pipeline_run: PipelineRun, clock: Clock, record_sink: RecordSink | None = None
    ) -> None:
        self._pipeline_run = pipeline_run
        self._clock = clock
        self._sink = record_sink

    def run(
        self,
        plan: LearningPlan,
        context: LearningExecutionContext | None = None,
        *,
        on_step: StepCallback | None = None,
    ) -> LearningExecutionResult:
        """Run every step whose key is not in `context.done_step_keys`, within the context's limits."""
        context = context or LearningExecutionContext()
        if context.base_config is not None:
            plan = rebase_plan(plan, context.base_config)
        if context.metadata:
            plan = plan.with_metadata(context.metadata)
        steps = expand_plan(plan)
        todo = [step for step in steps if step.key not in context.done_step_keys]
        limited = context.max_steps is not None and len(todo) > context.max_steps
        if limited:
            todo = todo[: context.max_steps]
        tags, cancel, start = _tags(plan), context.cancel, self._clock.monotonic()
        results: list[LearningRunResult] = []
        stop: str | None = None
        for position, step in enumerate(todo, start=1):
            stop = self._stop_reason(context, start)
            if stop is not None:
                break
            if on_step is not None:
                on_step(step, position, len(todo), None)
            result = self._run_step(plan, step, tags, context)
            results.append(result)
            if on_step is not None:
                on_step(step, position, len(todo), result)
            if result.cancelled:
                stop = (
                    STOP_TIMEOUT if cancel is not None and cancel.reason == TIMEOUT_REASON else STOP_CANCELLED
                )
                break
        if stop is None and limited:
            stop = STOP_MAX_STEPS
        done = sum(1 for step in steps if step.key in context.done_step_keys)
        succeeded = sum(1 for result in results if result.success)
        summary = LearningExecutionSummary(
            total_steps=len(steps),
            already_done=done,
            executed=len(results),
            succeeded=succeeded,
            failed=len(results) - succeeded,
            not_run=len(steps) - done - len(results),
            elapsed_s=self._clock.monotonic() - start,
            stop_reason=stop,
        )
        return LearningExecutionResult(plan=plan, step_results=tuple(results), summary=summary)

    def _stop_reason(self, context: LearningExecutionContext, start: float) -> str | None:
        cancel = context.cancel
        if cancel is not None and cancel.cancelled:
            return STOP_TIMEOUT if cancel.reason == TIMEOUT_REASON else STOP_CANCELLED
        if context.timeout_s is not None and self._clock.monotonic() - start >= context.timeout_s:
            return STOP_TIMEOUT
        return None

    def _run_step(
        self,
        plan: LearningPlan,
        step: LearningRunStep,
        tags: dict[str, Any],
        context: LearningExecutionContext,
    ) -> LearningRunResult:
        config = derive_step_config(plan.base, step, plan, max_images=context.max_images_per_step)
        step_tags = tags
        if len(step.assignments) == 1:
            step_tags = {
                **tags,
                "stage": step.stage,
                "variable_name": step.variable,
                "variable_value": step.value,
            }
        learning = LearningContext(
            plan_id=plan.id,
            plan_name=plan.name,
            step_key=step.key,
            step_index=step.index,
            variables=step.variables,
            experiment_name=plan.experiment_name,
            one_click_action_id=plan.one_click_action_id,
            tags=step_tags,
        )
        t0 = self._clock.monotonic()
        try:
            run = self._pipeline_run.run(
                config, record_sink=self._sink, learning_context=learning, cancel=context.cancel
            )
        except Exception as exc:  # the port promises not to raise; if it does, only this step fails
            return LearningRunResult(
                step=step,
                run_ids=(),
                success=False,
                error=f"{type(exc).__name__}: {exc}",
                elapsed_s=self._clock.monotonic() - t0,
            )
        return LearningRunResult.from_run(step, run, self._clock.monotonic() - t0)
