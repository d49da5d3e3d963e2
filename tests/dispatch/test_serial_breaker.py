"""One server: its circuit breaker stops the plan after unreachable steps in a row, nothing else."""

from __future__ import annotations

from tests.dispatch.test_thread_pool_dispatcher import plan
from tests.fakes.fake_clock import FakeClock
from tests.fakes.memory_sink import MemoryRecordSink
from tests.fakes.server_pipeline_run import ServerPipelineRun

from stablenew.domain.plan.learning_results import LearningExecutionResult
from stablenew.domain.run.server_faults import ServerBreaker
from stablenew.domain.services.learning_execution import LearningExecutionRunner
from stablenew.domain.services.serial_dispatch import SerialDispatcher


def _run(kinds: list[str | None], threshold: int = 3) -> tuple[ServerPipelineRun, LearningExecutionResult]:
    faults = iter(kinds)
    server = ServerPipelineRun("http://one", 0.0, fault=lambda config: next(faults, None))
    dispatcher = SerialDispatcher(server, breaker=ServerBreaker(threshold=threshold))
    result = LearningExecutionRunner(pipeline_run=server, clock=FakeClock(), record_sink=MemoryRecordSink(),
                                     dispatcher=dispatcher).run(plan())
    return server, result


def test_unreachable_steps_in_a_row_stop_the_plan() -> None:
    kinds = ["connection_refused", None, "not_api", "out_of_memory", "connection_error",
             "connection_refused", "connection_refused"]
    server, result = _run(kinds)
    assert len(server.calls) == 7  # a success and a step's own failure (out of memory) reset the count
    summary = result.summary
    assert summary.stop_reason == "no_server" and summary.gave_up and summary.not_run == 5


def test_the_steps_own_failures_and_time_outs_never_stop_it() -> None:
    server, result = _run(["out_of_memory", "bad_request", "timeout", "server_error"] * 3, threshold=2)
    assert len(server.calls) == 12 and result.summary.stop_reason is None
