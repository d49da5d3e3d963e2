"""The stage timeout is one deadline for every attempt; a timed-out generation is interrupted first."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.backends.a1111_helpers import EXTRAS, TXT2IMG, a1111_container, pipeline, read_records
from tests.backends.cancel_helpers import CancelWhen
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server, Fault

from stablenew.adapters.backends.http import Budget
from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError
from stablenew.domain.run.generation import StageRequest

a1111_server = a1111_fixtures.a1111_server  # the fixture, by name
INTERRUPT = "/sdapi/v1/interrupt"
BODY = {"prompt": "x", "steps": 2, "width": 64, "height": 64, "seed": 5}


def test_a_timed_out_generation_is_interrupted_and_not_retried_past_the_stage_deadline(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.generation_delay_s = 10.0  # the server really is generating, slowly
    container = a1111_container(a1111_server, tmp_path, stage_timeout_s=0.5, retries=3,
                                stall_timeout_s=30.0, interrupt_grace_s=0.1)
    started = time.monotonic()
    result = container.pipeline_controller().run(pipeline(txt2img={"steps": 2}))
    assert not result.success and result.events[0].error_kind == "timeout"
    assert time.monotonic() - started < 6.0  # the 0.5 s stage deadline, not the 10 s generation
    assert a1111_server.count(TXT2IMG) == 1 and a1111_server.interrupts == 1
    (record,) = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    assert "the stage timeout of 0.5 s was reached" in record["stage_events"][0]["error"]
    a1111_server.generation_delay_s = 0.0  # the abandoned job stopped: nothing queues behind it
    started = time.monotonic()
    assert container.pipeline_controller().run(pipeline(txt2img={"steps": 2})).success
    assert time.monotonic() - started < 6.0  # not queued behind the rest of the 10 s generation


def test_a_read_timeout_interrupts_the_server_before_the_retry(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.add_fault(TXT2IMG, Fault("timeout", delay_s=1.0))  # first answer comes too late
    client = a1111_container(a1111_server, tmp_path).backend().client
    answer = client.request("POST", TXT2IMG, BODY, timeout_s=0.3, budget=Budget.for_stage(None, 5.0),
                            on_timeout=client.interrupt)
    assert answer.retries == 1 and a1111_server.interrupts == 1
    assert [r.path for r in a1111_server.requests] == [TXT2IMG, INTERRUPT, TXT2IMG]


def test_a_connect_failure_is_not_followed_by_an_interrupt(tmp_path: Path) -> None:
    from tests.backends.a1111_helpers import closed_port_url

    client = a1111_container(closed_port_url(), tmp_path).backend().client
    calls: list[str] = []
    with pytest.raises(BackendError) as caught:
        client.request("POST", TXT2IMG, BODY, timeout_s=1.0, on_timeout=lambda: calls.append("x"))
    assert caught.value.kind == "connection_refused" and caught.value.retries == 2 and calls == []


def test_transient_retries_stop_at_the_stage_deadline(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    a1111_server.add_fault(TXT2IMG, Fault("status", status=503, times=20))
    container = a1111_container(a1111_server, tmp_path, stage_timeout_s=0.5, retries=10,
                                retry_backoff_s=0.2)
    started = time.monotonic()
    result = container.pipeline_controller().run(pipeline(txt2img={"steps": 2}))
    assert time.monotonic() - started < 5.0  # 10 retries with growing waits would take far longer
    assert result.events[0].error_kind == "server_error"
    assert a1111_server.count(TXT2IMG) == 2  # waits 0.2 s, then the next 0.4 s wait would pass 0.5 s
    (record,) = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    assert record["stage_events"][0]["params"]["retries"] == 1


def test_a_request_left_no_time_fails_at_once_as_a_timeout(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    client = a1111_container(a1111_server, tmp_path).backend().client
    with pytest.raises(BackendError, match="stage timeout was reached") as caught:
        client.request("POST", TXT2IMG, BODY, timeout_s=5.0, budget=Budget(deadline=time.monotonic() - 1.0))
    assert caught.value.kind == "timeout" and a1111_server.count(TXT2IMG) == 0


@pytest.mark.parametrize("stage", ["upscale", "txt2img"])
def test_a_cancel_during_the_backoff_wait_is_a_cancel_not_a_failure(
    a1111_server: FakeA1111Server, tmp_path: Path, stage: str,
) -> None:
    first = StageRequest(stage="txt2img", params={"steps": 2, "width": 64, "height": 64}, prompt="x")
    png = a1111_container(a1111_server, tmp_path / "first").backend().generate(first).images[0].data
    path = EXTRAS if stage == "upscale" else TXT2IMG
    a1111_server.add_fault(path, Fault("status", status=503, times=5))
    before = a1111_server.count(path)
    backend = a1111_container(a1111_server, tmp_path, retry_backoff_s=20.0, retries=3, stage_timeout_s=60.0,
                              interrupt_grace_s=0.1).backend()
    token = CancelToken()
    # cancel once the first attempt was answered (503), i.e. during the 20 s backoff wait
    timer = CancelWhen(token, lambda: a1111_server.count(path) > before, reason="stopped by the user")
    params = {"upscaler": "Lanczos", "upscaling_resize": 2} if stage == "upscale" else {"steps": 2}
    with pytest.raises(CancelledError, match="stopped by the user"):
        backend.generate(StageRequest(stage=stage, params=params, prompt="x",
                                      input_image=png if stage == "upscale" else None), token)
    timer.join()
    assert timer.seconds_since_cancel() < 3.0  # the 20 s backoff woke up on the cancel
    assert a1111_server.count(path) == before + 1  # no attempt after the cancel


def test_a_request_that_fails_after_a_cancel_is_a_cancel(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.add_fault(EXTRAS, Fault("status", status=503, times=3))
    client = a1111_container(a1111_server, tmp_path).backend().client
    token = CancelToken()
    token.cancel("stopped by the user")
    with pytest.raises(CancelledError, match="stopped by the user"):
        client.request("POST", EXTRAS, {}, timeout_s=5.0, budget=Budget(token))
    assert a1111_server.count(EXTRAS) == 1
