"""ServerPipelineRun: a stand-in for one generation server — latency, one call at a time, faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.record import LearningContext
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import FailureKind
from stablenew.domain.run.generation import ProgressListener
from stablenew.domain.run.results import CANCELLED, FAILED, SUCCESS, PipelineRunResult, StageEvent


class ServerPipelineRun(PipelineRun):
    """Sleeps `latency_s` per run (cut short by cancel); `fault(config)` → a failure kind or None.
    Counts the calls in flight at once, which must never exceed one per server."""

    def __init__(self, name: str, latency_s: float = 0.0,
                 fault: Callable[[PipelineConfig], str | None] | None = None) -> None:
        self.name, self.latency_s, self.fault = name, latency_s, fault
        self.calls: list[PipelineConfig] = []
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()

    def run(self, config: PipelineConfig, *, record_sink: RecordSink | None = None,
            learning_context: LearningContext | None = None,
            cancel: CancelToken | None = None,
            progress: ProgressListener | None = None) -> PipelineRunResult:
        with self._lock:
            self.calls.append(config)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            start = datetime.now(UTC)
            deadline = time.monotonic() + self.latency_s
            while time.monotonic() < deadline and not (cancel is not None and cancel.cancelled):
                time.sleep(min(0.005, max(0.0, deadline - time.monotonic())))
            kind = self.fault(config) if self.fault is not None else None
            cancelled = cancel is not None and cancel.cancelled
            outcome = CANCELLED if cancelled else FAILED if kind else SUCCESS
            event = StageEvent(stage="txt2img", started_at=start, ended_at=datetime.now(UTC),
                               duration_s=self.latency_s, outcome=outcome,
                               error=None if outcome == SUCCESS else (kind or "cancelled"),
                               error_kind=FailureKind.CANCELLED if cancelled else FailureKind.parse(kind))
            result = PipelineRunResult(run_id=f"{self.name}-{len(self.calls)}", started_at=start,
                                       ended_at=datetime.now(UTC), success=outcome == SUCCESS,
                                       events=(event,), error=event.error, cancelled=cancelled,
                                       backend="stand-in", server=self.name)
            if record_sink is not None:
                record_sink.append_record(build_learning_record(config, result, learning_context))
            return result
        finally:
            with self._lock:
                self.in_flight -= 1
