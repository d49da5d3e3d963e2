"""StepDispatcher port: runs a plan's pending steps on one or more workers, outcomes as they complete."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from stablenew.domain.plan.learning_results import LearningRunResult
from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.records.record import LearningRecord
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import FailureKind


@dataclass(frozen=True, slots=True)
class StepAttempt:
    """One try of a step on one worker: its result, the record it built (not yet written) and whether
    the server failed rather than the step (connection refused, time-out, 5xx): another may run it."""

    result: LearningRunResult
    record: LearningRecord | None = None
    server_fault: bool = False
    failure_kind: FailureKind | None = None  # why the step failed (None when it succeeded)


@dataclass(frozen=True, slots=True)
class DispatchEvent:
    """A step started (`attempt` None) or finished on the worker named `worker`."""

    step: LearningRunStep
    worker: str
    attempt: StepAttempt | None = None


# execute(step, pipeline_run) runs the step once on that worker's pipeline and never raises.
StepExecutor = Callable[[LearningRunStep, PipelineRun], StepAttempt]
# should_stop() → a stop reason (cancelled, timeout …) or None; checked before a step is pulled.
StopCheck = Callable[[], str | None]


class StepDispatcher(ABC):
    """Hands pending steps to workers (one pipeline each) and reports each step's final attempt.

    Every step given is finished at most once; a step whose attempt was a server fault may be given
    to another worker instead of being reported. Events arrive in the caller's thread, so the caller
    is the one writer of records.
    """

    stop_reason: str | None = None  # set when the dispatcher itself gave up (e.g. no server left)

    @property
    @abstractmethod
    def workers(self) -> tuple[str, ...]:
        """The workers' names (server URLs without credentials), in a stable order."""
        raise NotImplementedError

    @abstractmethod
    def dispatch(
        self,
        steps: Sequence[LearningRunStep],
        execute: StepExecutor,
        *,
        cancel: CancelToken | None = None,
        should_stop: StopCheck | None = None,
    ) -> Iterator[DispatchEvent]:
        """Run `steps`, yielding a start and a finish event per step; stop pulling new steps once
        `should_stop` answers a reason or `cancel` is set (running ones finish, cancelled)."""
        raise NotImplementedError
