"""SerialDispatcher: one worker, one step at a time, in the order given (the single-server default)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.step_dispatcher import DispatchEvent, StepDispatcher, StepExecutor, StopCheck
from stablenew.domain.run.cancel import CancelToken


class SerialDispatcher(StepDispatcher):
    """Runs each step on the one pipeline; a server fault is that step's failure (nowhere else to go)."""

    def __init__(self, pipeline_run: PipelineRun, *, name: str = "") -> None:
        self._pipeline_run = pipeline_run
        self._name = name

    @property
    def workers(self) -> tuple[str, ...]:
        return (self._name,)

    def dispatch(
        self,
        steps: Sequence[LearningRunStep],
        execute: StepExecutor,
        *,
        cancel: CancelToken | None = None,
        should_stop: StopCheck | None = None,
    ) -> Iterator[DispatchEvent]:
        self.stop_reason = None
        for step in steps:
            if (cancel is not None and cancel.cancelled) or (should_stop is not None and should_stop()):
                return
            yield DispatchEvent(step=step, worker=self._name)
            yield DispatchEvent(step=step, worker=self._name, attempt=execute(step, self._pipeline_run))
