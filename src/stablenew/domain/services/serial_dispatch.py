"""SerialDispatcher: one worker, one step at a time, in the order given (the single-server default)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from stablenew.domain.plan.learning_results import STOP_NO_SERVER
from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.step_dispatcher import DispatchEvent, StepDispatcher, StepExecutor, StopCheck
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.server_faults import ServerBreaker


class SerialDispatcher(StepDispatcher):
    """Runs each step on the one pipeline; a server fault is that step's failure (nowhere else to go).

    With a `breaker`, steps that find the server unreachable (refused, broken connection, not the
    expected API) are counted; once the breaker trips, no further step is pulled and `stop_reason`
    says no server is left, so a dead server fails a few steps, not every remaining one.
    """

    def __init__(
        self, pipeline_run: PipelineRun, *, name: str = "", breaker: ServerBreaker | None = None
    ) -> None:
        self._pipeline_run = pipeline_run
        self._name = name
        self._breaker = breaker

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
            attempt = execute(step, self._pipeline_run)
            yield DispatchEvent(step=step, worker=self._name, attempt=attempt)
            if self._breaker is not None:
                kind = attempt.failure_kind
                unreachable = kind is not None and kind.unreachable
                self._breaker.record(fault=unreachable, now=0.0)  # no cool-down: nowhere else to go
                if self._breaker.tripped:
                    self.stop_reason = STOP_NO_SERVER
                    return
