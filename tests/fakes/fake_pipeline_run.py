"""FakePipelineRun: records every call and writes one record per run to the sink it is given."""

from __future__ import annotations

from dataclasses import dataclass

from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.record import LearningContext
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.results import SUCCESS, PipelineRunResult, StageEvent
from tests.fakes.fake_clock import FakeClock


@dataclass
class RunCall:
    config: PipelineConfig
    record_sink: RecordSink | None
    learning_context: LearningContext | None
    cancel: CancelToken | None


class FakePipelineRun(PipelineRun):
    def __init__(self, *, fail_when: object = None, clock: FakeClock | None = None) -> None:
        self.calls: list[RunCall] = []
        self.fail_when = fail_when  # callable(config) -> bool
        self.clock = clock or FakeClock(tick_s=0.5)

    def run(
        self, config, *, record_sink=None, learning_context=None, cancel=None, progress=None
    ) -> PipelineRunResult:
        self.calls.append(RunCall(config, record_sink, learning_context, cancel))
        failed = bool(self.fail_when and self.fail_when(config))  # type: ignore[operator]
        start = self.clock.now()
        events = tuple(
            StageEvent(
                stage=s.stage,
                started_at=start,
                ended_at=start,
                duration_s=0.5,
                outcome="failed" if failed else SUCCESS,
                error="boom" if failed else None,
            )
            for s in config.enabled_stages()[:1]
        )
        result = PipelineRunResult(
            run_id=f"fake-{len(self.calls)}",
            started_at=start,
            ended_at=self.clock.now(),
            success=not failed,
            events=events,
            error="boom" if failed else None,
            backend="fake",
        )
        if record_sink is not None:
            record_sink.append_record(build_learning_record(config, result, learning_context))
        return result
