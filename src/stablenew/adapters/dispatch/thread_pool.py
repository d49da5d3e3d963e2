"""ThreadPoolDispatcher: one thread per server pulls the next step when its server is free."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from stablenew.domain.plan.learning_results import STOP_NO_SERVER
from stablenew.domain.plan.plan import LearningRunStep
from stablenew.domain.plan.switch_order import SwitchKey, grouped_by_switch, pick_for, switch_key
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.step_dispatcher import DispatchEvent, StepDispatcher, StepExecutor, StopCheck
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.server_faults import ServerBreaker


@dataclass(slots=True)
class ServerWorker:
    """One server: its name (URL without credentials), its pipeline and its circuit breaker."""

    name: str
    pipeline_run: PipelineRun
    breaker: ServerBreaker = field(default_factory=ServerBreaker)
    loaded: SwitchKey | None = None


class _Board:
    """The shared queue of pending steps and the bookkeeping every worker reads under one lock."""

    def __init__(self, steps: Sequence[LearningRunStep], max_tries: int) -> None:
        self.pending = grouped_by_switch(steps)
        self.tries: dict[str, int] = {}
        self.in_flight = 0
        self.max_tries = max_tries
        self.stop = False
        self.cond = threading.Condition()


class ThreadPoolDispatcher(StepDispatcher):
    """At most one step in flight per server; a server fault sends the step back to the queue for
    another server and counts against that server's breaker; when every breaker is open at once the
    plan stops (`stop_reason` = no_server)."""

    def __init__(
        self, workers: Sequence[ServerWorker], *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if not workers:
            raise ValueError("a thread-pool dispatcher needs at least one server")
        self._workers = list(workers)
        self._now = monotonic

    @property
    def workers(self) -> tuple[str, ...]:
        return tuple(worker.name for worker in self._workers)

    def dispatch(
        self,
        steps: Sequence[LearningRunStep],
        execute: StepExecutor,
        *,
        cancel: CancelToken | None = None,
        should_stop: StopCheck | None = None,
    ) -> Iterator[DispatchEvent]:
        self.stop_reason = None
        board = _Board(steps, max_tries=len(self._workers) + 1)
        events: queue.Queue[DispatchEvent | None] = queue.Queue()

        def stopping() -> bool:
            if board.stop or (cancel is not None and cancel.cancelled):
                return True
            return should_stop is not None and should_stop() is not None

        threads = [
            threading.Thread(
                target=self._work, args=(worker, board, execute, events, stopping),
                name=f"stablenew-server-{number}", daemon=True,
            )
            for number, worker in enumerate(self._workers)
        ]
        for thread in threads:
            thread.start()
        alive = len(threads)
        try:
            while alive:
                event = events.get()
                if event is None:
                    alive -= 1
                else:
                    yield event
        finally:
            with board.cond:
                board.stop = True
                board.cond.notify_all()
            for thread in threads:
                thread.join()

    def _take(
        self, worker: ServerWorker, board: _Board, stopping: Callable[[], bool]
    ) -> LearningRunStep | None:
        """The next step for `worker`, waiting while its breaker is open; None when it should quit."""
        with board.cond:
            while True:
                if stopping() or not board.pending:
                    if not board.pending and board.in_flight:  # a step may come back to the queue
                        board.cond.wait(0.05)
                        if board.pending or board.in_flight:
                            continue
                    return None
                now = self._now()
                if worker.breaker.available(now):
                    step = board.pending.pop(pick_for(board.pending, worker.loaded))
                    board.in_flight += 1
                    return step
                if all(w.breaker.is_open for w in self._workers) and not board.in_flight:
                    self.stop_reason, board.stop = STOP_NO_SERVER, True
                    board.cond.notify_all()
                    return None
                until = worker.breaker.open_until
                board.cond.wait(max(0.01, min(1.0, (until or now) - now)))

    def _work(
        self, worker: ServerWorker, board: _Board, execute: StepExecutor,
        events: queue.Queue[DispatchEvent | None], stopping: Callable[[], bool],
    ) -> None:
        try:
            while (step := self._take(worker, board, stopping)) is not None:
                events.put(DispatchEvent(step=step, worker=worker.name))
                attempt = execute(step, worker.pipeline_run)
                with board.cond:
                    board.in_flight -= 1
                    worker.breaker.record(fault=attempt.server_fault, now=self._now())
                    tries = board.tries[step.key] = board.tries.get(step.key, 0) + 1
                    if attempt.server_fault and tries < board.max_tries and not stopping():
                        board.pending.insert(0, step)  # another server takes it next
                        board.cond.notify_all()
                        continue
                    worker.loaded = switch_key(step)
                    board.cond.notify_all()
                events.put(DispatchEvent(step=step, worker=worker.name, attempt=attempt))
        finally:
            events.put(None)
