"""Benchmark: one plan on 1, 2, 4, 8, 16 stand-in servers (fixed latency) and on four uneven ones."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from stablenew.adapters.clock import SystemClock
from stablenew.adapters.dispatch import ServerWorker, ThreadPoolDispatcher
from stablenew.domain.config.pipeline import PipelineConfig
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.plan.plan import LearningPlan
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.ports.pipeline_run import PipelineRun
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.builder import build_learning_record
from stablenew.domain.records.record import LearningContext, LearningRecord
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import ProgressListener
from stablenew.domain.run.results import SUCCESS, PipelineRunResult, StageEvent
from stablenew.domain.services.learning_execution import LearningExecutionRunner

FIXED_LATENCY_S = 0.1
STEPS = 64
SERVER_COUNTS = (1, 2, 4, 8, 16)
UNEVEN_S = (0.1, 0.2, 0.2, 0.4)
UNEVEN_STEPS = 48
SPEEDUP_TARGET = 0.93  # × N
IDEAL_TARGET = 1.15  # uneven servers: at most 15 % over the ideal


class StandInServer(PipelineRun):
    """A server that takes `latency_s` per image and builds the record the real runner would."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s

    def run(self, config: PipelineConfig, *, record_sink: RecordSink | None = None,
            learning_context: LearningContext | None = None,
            cancel: CancelToken | None = None,
            progress: ProgressListener | None = None) -> PipelineRunResult:
        start = datetime.now(UTC)
        time.sleep(self.latency_s)
        event = StageEvent(stage="txt2img", started_at=start, ended_at=datetime.now(UTC),
                           duration_s=self.latency_s, outcome=SUCCESS)
        result = PipelineRunResult(run_id=f"r{id(config)}", started_at=start, ended_at=datetime.now(UTC),
                                   success=True, events=(event,), backend="stand-in")
        if record_sink is not None:
            record_sink.append_record(build_learning_record(config, result, learning_context))
        return result


class CountingSink(RecordSink):
    def __init__(self) -> None:
        self.count = 0

    def append_record(self, record: LearningRecord) -> None:
        self.count += 1


def _plan(steps: int) -> LearningPlan:
    base = parse_pipeline_config({"prompt": "a lighthouse", "txt2img": {"steps": 20}})
    axes = [{"stage": "txt2img", "variable": "seed", "values": f"1-{steps}"}]
    return build_plan(name=f"bench-{steps}", base=base, axes=axes)


def _seconds(latencies: list[float], steps: int) -> float:
    servers = [StandInServer(latency) for latency in latencies]
    workers = [ServerWorker(f"http://stand-in-{i}", server) for i, server in enumerate(servers)]
    sink = CountingSink()
    runner = LearningExecutionRunner(pipeline_run=servers[0], clock=SystemClock(), record_sink=sink,
                                     dispatcher=ThreadPoolDispatcher(workers))
    start = time.perf_counter()
    result = runner.run(_plan(steps))
    elapsed = time.perf_counter() - start
    assert sink.count == steps == result.summary.succeeded, "every step must run exactly once"
    return elapsed


def main() -> bool:
    """Speed-up against one server in the same run; uneven servers against the ideal."""
    ok = True
    one = _seconds([FIXED_LATENCY_S], STEPS)
    for count in SERVER_COUNTS:
        seconds = one if count == 1 else _seconds([FIXED_LATENCY_S] * count, STEPS)
        speedup = one / seconds
        met = speedup >= SPEEDUP_TARGET * count
        ok &= met
        print(f"servers: {count:2d} × {FIXED_LATENCY_S * 1000:.0f} ms, {STEPS} steps: {seconds:.2f} s, "
              f"speed-up {speedup:.2f}× (target ≥ {SPEEDUP_TARGET * count:.2f}×){'' if met else '  MISSED'}")
    uneven = _seconds(list(UNEVEN_S), UNEVEN_STEPS)
    ideal = UNEVEN_STEPS / sum(1 / latency for latency in UNEVEN_S)
    static = max(UNEVEN_STEPS / len(UNEVEN_S) * latency for latency in UNEVEN_S)
    ratio = uneven / ideal
    met = ratio <= IDEAL_TARGET
    ok &= met
    shape = "/".join(str(s) for s in UNEVEN_S)
    print(f"servers: uneven {shape} s, {UNEVEN_STEPS} steps: pulled {uneven:.2f} s, "
          f"ideal {ideal:.2f} s ({ratio:.2f}× ideal, target ≤ {IDEAL_TARGET}), "
          f"a static equal split would take {static:.2f} s{'' if met else '  MISSED'}")
    return ok


if __name__ == "__main__":
    main()
