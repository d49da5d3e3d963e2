"""The thread-pool dispatcher: work is pulled, one call per server, faults go to another server."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from tests.fakes.fake_clock import FakeClock
from tests.fakes.memory_sink import MemoryRecordSink
from tests.fakes.server_pipeline_run import ServerPipelineRun

from stablenew.adapters.dispatch import ServerWorker, ThreadPoolDispatcher
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.plan.learning_results import STOP_NO_SERVER
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.plan.steps import expand_plan
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.server_faults import ServerBreaker
from stablenew.domain.services.learning_execution import LearningExecutionContext, LearningExecutionRunner

BASE = {"prompt": "a lighthouse", "txt2img": {"steps": 4, "model": "a.safetensors"}}


def plan(axes: list[dict[str, Any]] | None = None) -> Any:
    axes = axes or [{"stage": "txt2img", "variable": "cfg_scale", "values": "1-12"}]
    return build_plan(name="pool", base=parse_pipeline_config(BASE), axes=axes, seed=7, source="pool.toml")


def runner(
    servers: list[ServerPipelineRun], sink: MemoryRecordSink, **breaker: Any
) -> LearningExecutionRunner:
    workers = [ServerWorker(s.name, s, breaker=ServerBreaker(**breaker)) for s in servers]
    return LearningExecutionRunner(pipeline_run=servers[0], clock=FakeClock(), record_sink=sink,
                                   dispatcher=ThreadPoolDispatcher(workers))


def keys(sink: MemoryRecordSink) -> list[str]:
    return [record.data["learning"]["step_key"] for record in sink.records]


def test_every_step_runs_once_and_no_server_ever_has_two_calls_at_once() -> None:
    servers = [ServerPipelineRun(f"http://gpu{i}", latency_s=0.02) for i in range(3)]
    sink = MemoryRecordSink()
    result = runner(servers, sink).run(plan())
    assert result.summary.succeeded == 12 and result.summary.stop_reason is None
    assert sorted(keys(sink)) == sorted(step.key for step in expand_plan(result.plan))
    assert all(s.max_in_flight == 1 for s in servers)
    assert all(s.calls for s in servers)  # every server took work
    assert {r.data["server"] for r in sink.records} == {s.name for s in servers}


def test_a_fast_server_pulls_more_steps_than_a_slow_one() -> None:
    fast, slow = ServerPipelineRun("http://fast", 0.01), ServerPipelineRun("http://slow", 0.08)
    runner([fast, slow], MemoryRecordSink()).run(plan())
    assert len(fast.calls) >= 3 * len(slow.calls)


def test_a_server_fault_sends_the_step_to_another_server_and_the_breaker_takes_the_server_out() -> None:
    dead = ServerPipelineRun("http://dead", 0.0, fault=lambda config: "connection_refused")
    alive = ServerPipelineRun("http://alive", 0.01)
    sink = MemoryRecordSink()
    result = runner([dead, alive], sink, threshold=2, cooldown_s=60).run(plan())
    assert result.summary.succeeded == 12 and not result.failures
    assert len(set(keys(sink))) == 12 == len(sink.records)  # nothing recorded twice, no failure record
    assert len(dead.calls) == 2  # then its breaker is open for the rest of the plan


def test_out_of_memory_is_the_step_s_failure_on_that_server_not_a_reason_to_move_it() -> None:
    def fault(config: Any) -> str | None:
        return "oom" if config.txt2img.params["cfg_scale"] == 3 else None

    oom = ServerPipelineRun("http://small", 0.0, fault=fault)
    other = ServerPipelineRun("http://other", 0.01, fault=fault)
    sink = MemoryRecordSink()
    result = runner([oom, other], sink).run(plan())
    assert len(result.failures) == 1 and result.failures[0].step.value == 3
    assert len(oom.calls) + len(other.calls) == 12  # tried once
    assert len(sink.records) == 12


def test_when_every_server_is_out_the_plan_stops_with_no_server() -> None:
    servers = [ServerPipelineRun(f"http://down{i}", 0.0, fault=lambda c: "timeout") for i in range(2)]
    sink = MemoryRecordSink()
    result = runner(servers, sink, threshold=2, cooldown_s=60).run(plan())
    assert result.summary.stop_reason == STOP_NO_SERVER
    assert result.summary.not_run > 0
    assert len(set(keys(sink))) == len(sink.records)


def test_a_server_back_after_its_cooldown_is_probed_and_takes_work_again() -> None:
    state = {"down": True}
    flaky = ServerPipelineRun(
        "http://flaky", 0.01, fault=lambda config: "connection_refused" if state["down"] else None
    )
    slow = ServerPipelineRun("http://slow", 0.05)
    threading.Timer(0.1, lambda: state.update(down=False)).start()
    runner([flaky, slow], MemoryRecordSink(), threshold=1, cooldown_s=0.15).run(plan())
    assert len(flaky.calls) >= 3  # probed after the cool-down, then used again


def test_cancel_stops_every_server_and_records_what_ran() -> None:
    servers = [ServerPipelineRun(f"http://gpu{i}", latency_s=30.0) for i in range(3)]
    sink = MemoryRecordSink()
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    started = time.monotonic()
    result = runner(servers, sink).run(plan(), LearningExecutionContext(cancel=token))
    assert time.monotonic() - started < 10.0  # the cancel, not the 30 s each server would take
    assert result.summary.cancelled and result.summary.executed == 3
    assert len(sink.records) == 3 and all(r.data["cancelled"] for r in sink.records)


def test_steps_of_one_model_stay_on_a_server_so_models_are_switched_rarely() -> None:
    servers = [ServerPipelineRun(f"http://gpu{i}", latency_s=0.01) for i in range(2)]
    axes = [{"stage": "txt2img", "variable": "model", "values": ["a.safetensors", "b.safetensors"]},
            {"stage": "txt2img", "variable": "cfg_scale", "values": "1-6"}]
    runner(servers, MemoryRecordSink()).run(plan(axes))
    for server in servers:
        models = [config.txt2img.params["model"] for config in server.calls]
        switches = sum(1 for a, b in itertools.pairwise(models) if a != b)
        assert switches <= 1, models
