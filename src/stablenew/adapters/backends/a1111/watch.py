"""A generation in flight: /progress polled beside it, /interrupt on cancel or when it stalls."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stablenew.adapters.backends.a1111.client import A1111Client, Answer
from stablenew.adapters.backends.http import Budget
from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError, FailureKind
from stablenew.domain.run.generation import StageProgress

log = logging.getLogger("stablenew.a1111")
PROGRESS_PATH = "/sdapi/v1/progress"


@dataclass(frozen=True, slots=True)
class WatchPolicy:
    """How a running generation is watched: poll interval, stall limit, grace after an interrupt."""

    poll_s: float = 0.5
    stall_s: float = 120.0
    interrupt_grace_s: float = 10.0


def stage_progress(stage: str, body: dict[str, Any]) -> StageProgress:
    """A /progress answer as a StageProgress: overall fraction, sampling step of steps, the job text."""
    raw = body.get("state")
    state: dict[str, Any] = raw if isinstance(raw, dict) else {}
    fraction, step, total = body.get("progress"), state.get("sampling_step"), state.get("sampling_steps")
    known = isinstance(step, int) and isinstance(total, int) and total > 0
    return StageProgress(stage, float(fraction) if isinstance(fraction, int | float) else 0.0,
                         step=step if known else None, total=total if known else None,
                         detail=str(state.get("job") or ""))


def _signature(body: Any) -> tuple[Any, ...] | None:
    """What counts as movement: progress, job number, sampling step, the job's name and timestamp."""
    if not isinstance(body, dict):
        return None
    raw = body.get("state")
    state: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return (body.get("progress"), state.get("job"), state.get("job_no"), state.get("job_count"),
            state.get("sampling_step"), state.get("job_timestamp"))


class GenerationWatch:
    """Runs one POST in a worker thread while this thread polls progress, cancel and stall."""

    def __init__(self, client: A1111Client, policy: WatchPolicy) -> None:
        self.client = client
        self.policy = policy

    def run(self, path: str, body: Any, *, stage: str, budget: Budget,
            report: Callable[[StageProgress], None]) -> Answer:
        """The answer of POST `path` by the budget's deadline (all retries included); each change
        /progress shows goes to `report`, for this call only.

        CancelledError when cancelled, BackendError("stalled") when stuck. An attempt whose answer
        timed out is interrupted on the server before it is retried, so no duplicate queues behind it.
        """
        outcome: dict[str, Any] = {}
        done = threading.Event()
        cancel = budget.cancel

        def work() -> None:
            try:
                outcome["answer"] = self.client.request(
                    "POST", path, body, timeout_s=budget.limit_s, budget=budget,
                    on_timeout=self.client.interrupt)
            except BaseException as exc:  # handed to the watching thread, which raises it
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name=f"a1111{path.replace('/', '-')}", daemon=True).start()
        unregister = cancel.on_cancel(self.client.interrupt) if cancel is not None else (lambda: None)
        try:
            stalled_for = self._watch(done, stage, cancel, report)
        finally:
            unregister()
        if stalled_for is not None:
            self.client.interrupt()
            done.wait(self.policy.interrupt_grace_s)
            raise BackendError(f"{self.client.where('POST', path)}: the server made no progress for "
                               f"{stalled_for:.1f} s; it was interrupted", kind=FailureKind.STALLED)
        if cancel is not None and cancel.cancelled:
            done.wait(self.policy.interrupt_grace_s)  # A1111 answers the interrupt with a partial result
            raise CancelledError(f"{cancel.reason or 'cancelled'}; the A1111 generation was interrupted")
        if "error" in outcome:
            raise outcome["error"]
        answer: Answer = outcome["answer"]
        return answer

    def _watch(self, done: threading.Event, stage: str, cancel: CancelToken | None,
               report: Callable[[StageProgress], None]) -> float | None:
        """Seconds without progress when the server stalled, else None (finished or cancelled)."""
        last: tuple[Any, ...] | None = None
        changed = time.monotonic()
        while not done.wait(self.policy.poll_s):
            if cancel is not None and cancel.cancelled:
                return None
            body = self._progress()
            signature = _signature(body)
            now = time.monotonic()
            if signature is not None and signature != last:
                last, changed = signature, now
                report(stage_progress(stage, body))
            if now - changed >= self.policy.stall_s and not done.is_set():
                return now - changed
        return None

    def _progress(self) -> Any:
        try:
            return self.client.request("GET", PROGRESS_PATH, timeout_s=max(self.policy.poll_s, 5.0),
                                       retries=0).body
        except BackendError as exc:
            log.debug("progress poll failed: %s", exc)
            return None
