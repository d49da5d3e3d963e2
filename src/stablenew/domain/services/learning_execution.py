"""LearningExecutionRunner: runs a plan's steps through the PipelineRun port, one record per step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.errors import StableNewError
from stablenew.domain.plan.learning_results import (
    STOP_CANCELLED,
    STOP_MAX_STEPS,
    STOP_NO_SERVER,
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
from stablenew.domain.ports.step_dispatcher import DispatchEvent, StepAttempt, StepDispatcher
from stablenew.domain.records.record import LearningContext, LearningRecord
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import ProgressListener
from stablenew.domain.run.server_faults import run_failure_kind, run_server_fault
from stablenew.domain.services.serial_dispatch import SerialDispatcher

TIMEOUT_REASON = "timeout"
# on_step(step, position, total, result): before a step with result None, after it with its result.
StepCallback = Callable[[LearningRunStep, int, int, LearningRunResult | None], None]
# on_dispatch(event): which server started or finished which step (several servers' progress).
DispatchCallback = Callable[[DispatchEvent], None]


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
    progress: ProgressListener | None = None  # how far each running step's stage is


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


class _HeldRecord(RecordSink):
    """Keeps the one record a run builds until the executor knows the step is finished."""

    def __init__(self) -> None:
        self.record: LearningRecord | None = None

    def append_record(self, record: LearningRecord) -> None:
        self.record = record


class LearningExecutionRunner:
    """Derives each step's config (base untouched), runs it through the dispatcher's workers and writes
    each finished step's one record itself (the one writer); failures go on."""

    def __init__(
        self,
        *,
        pipeline_run: PipelineRun,
        clock: Clock,
        record_sink: RecordSink | None = None,
        dispatcher: StepDispatcher | None = None,
    ) -> None:
        self._pipeline_run = pipeline_run
        self._clock = clock
        self._sink = record_sink
        self._dispatcher = dispatcher or SerialDispatcher(pipeline_run)

    def run(
        self,
        plan: LearningPlan,
        context: LearningExecutionContext | None = None,
        *,
        on_step: StepCallback | None = None,
        on_dispatch: DispatchCallback | None = None,
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
        positions: dict[str, int] = {}
        halted: list[str] = []  # why the run stopped itself (a cancelled step), checked before each pull

        def execute(step: LearningRunStep, pipeline_run: PipelineRun) -> StepAttempt:
            return self._attempt(plan, step, tags, context, pipeline_run)

        def should_stop() -> str | None:
            return halted[0] if halted else self._stop_reason(context, start)

        # Every started step is consumed to its end, so that each one that ran is recorded.
        for event in self._dispatcher.dispatch(todo, execute, cancel=cancel, should_stop=should_stop):
            if on_dispatch is not None:
                on_dispatch(event)
            if event.attempt is None:
                positions[event.step.key] = len(positions) + 1
                if on_step is not None:
                    on_step(event.step, positions[event.step.key], len(todo), None)
                continue
            result = self._commit(event.attempt, event.worker, cancel)
            results.append(result)
            if on_step is not None:
                on_step(event.step, positions[event.step.key], len(todo), result)
            if result.cancelled and not halted:
                cancelled_by_timer = cancel is not None and cancel.reason == TIMEOUT_REASON
                halted.append(STOP_TIMEOUT if cancelled_by_timer else STOP_CANCELLED)
        stop: str | None = halted[0] if halted else None
        if stop is None and len(results) < len(todo):
            stop = self._dispatcher.stop_reason or self._stop_reason(context, start) or STOP_NO_SERVER
        if stop is None and limited:
            stop = STOP_MAX_STEPS
        done = sum(1 for step in steps if step.key in context.done_step_keys)
        succeeded = sum(1 for result in results if result.success)
        cancelled = sum(1 for result in results if result.cancelled and not result.success)
        summary = LearningExecutionSummary(
            total_steps=len(steps),
            already_done=done,
            executed=len(results),
            succeeded=succeeded,
            failed=len(results) - succeeded - cancelled,
            not_run=len(steps) - done - len(results),
            elapsed_s=self._clock.monotonic() - start,
            stop_reason=stop,
            cancelled_steps=cancelled,
        )
        return LearningExecutionResult(plan=plan, step_results=tuple(results), summary=summary)

    def _stop_reason(self, context: LearningExecutionContext, start: float) -> str | None:
        cancel = context.cancel
        if cancel is not None and cancel.cancelled:
            return STOP_TIMEOUT if cancel.reason == TIMEOUT_REASON else STOP_CANCELLED
        if context.timeout_s is not None and self._clock.monotonic() - start >= context.timeout_s:
            return STOP_TIMEOUT
        return None

    def _attempt(
        self,
        plan: LearningPlan,
        step: LearningRunStep,
        tags: dict[str, Any],
        context: LearningExecutionContext,
        pipeline_run: PipelineRun,
    ) -> StepAttempt:
        """Run `step` once on `pipeline_run`, holding the record it builds (never raises)."""
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
        held = _HeldRecord() if self._sink is not None else None
        t0 = self._clock.monotonic()
        try:
            run = pipeline_run.run(config, record_sink=held, learning_context=learning, cancel=context.cancel,
                                   progress=context.progress)
        except Exception as exc:  # the port promises not to raise; if it does, only this step fails
            failed = LearningRunResult(
                step=step,
                run_ids=(),
                success=False,
                error=f"{type(exc).__name__}: {exc}",
                elapsed_s=self._clock.monotonic() - t0,
            )
            return StepAttempt(result=failed)
        result = LearningRunResult.from_run(step, run, self._clock.monotonic() - t0)
        record = held.record if held is not None else None
        return StepAttempt(result=result, record=record, server_fault=run_server_fault(run),
                           failure_kind=run_failure_kind(run))

    def _commit(self, attempt: StepAttempt, worker: str, cancel: CancelToken | None) -> LearningRunResult:
        """Write the finished step's record (the one writer); a record that cannot be written fails
        the step, since resume and the contact sheets know only what the log holds. A wait for the
        log's lock stops on Ctrl-C (`cancel`)."""
        result = replace(attempt.result, server=worker)
        if self._sink is None or attempt.record is None:
            return result
        try:
            self._sink.append_record_or_stop(attempt.record, cancel)
        except Exception as exc:  # full disk, failed fsync, unencodable value: this record, not the run
            reason = str(exc) if isinstance(exc, OSError | StableNewError) else f"{type(exc).__name__}: {exc}"
            unwritten = f"record NOT written: {reason}"
            error = f"{result.error}; {unwritten}" if result.error else unwritten
            return replace(result, success=False, error=error, record_error=reason)
        return result
