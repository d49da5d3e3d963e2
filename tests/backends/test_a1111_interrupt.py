"""Cancellation sends /interrupt; a stalled server is detected and interrupted; progress is reported."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.backends.a1111_helpers import IMG2IMG, TXT2IMG, a1111_container, pipeline, read_records
from tests.backends.cancel_helpers import CancelWhen
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server, Fault

from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.generation import StageProgress, StageRequest

a1111_server = a1111_fixtures.a1111_server  # the fixtures, by name


def test_cancel_interrupts_the_running_generation(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    a1111_server.generation_delay_s = 5.0
    container = a1111_container(a1111_server, tmp_path)
    token = CancelToken()
    timer = CancelWhen(token, lambda: a1111_server.count(TXT2IMG) > 0, reason="stopped by the user")
    result = container.pipeline_controller().run(pipeline(txt2img={"steps": 20}, img2img={}), cancel=token)
    timer.join()
    assert result.cancelled and timer.seconds_since_cancel() < 3.0  # not the 5 s generation
    assert a1111_server.interrupts == 1 and a1111_server.count(IMG2IMG) == 0
    (record,) = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    assert record["cancelled"] is True
    event = record["stage_events"][0]
    assert (event["outcome"], event["error_kind"]) == ("cancelled", "cancelled")
    assert "stopped by the user" in event["error"] and event["images"] == []


def test_a_stalled_server_is_interrupted_and_the_stage_fails(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.add_fault(TXT2IMG, Fault("timeout", delay_s=10.0))  # no answer, progress frozen at 0
    container = a1111_container(a1111_server, tmp_path, stall_timeout_s=0.5, interrupt_grace_s=0.1)
    started = time.monotonic()
    result = container.pipeline_controller().run(pipeline())
    assert time.monotonic() - started < 6.0  # the 0.5 s stall limit, not the 10 s silence
    assert result.events[0].error_kind == "stalled" and "no progress for" in (result.error or "")
    assert a1111_server.interrupts == 1
    assert a1111_server.count("/sdapi/v1/progress") >= 3


def test_a_slow_but_moving_generation_is_not_a_stall(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    a1111_server.generation_delay_s = 1.2
    seen: list[StageProgress] = []
    container = a1111_container(a1111_server, tmp_path, stall_timeout_s=0.5)
    result = container.pipeline_controller().run(pipeline(txt2img={"steps": 20}), progress=seen.append)
    assert result.success, result.error
    assert a1111_server.interrupts == 0
    fractions = [progress.fraction for progress in seen if progress.fraction > 0]
    assert len(fractions) >= 3 and fractions == sorted(fractions)
    assert any(progress.detail == "scripts_txt2img" for progress in seen)


def test_a_failing_progress_listener_does_not_fail_the_stage(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.generation_delay_s = 0.3

    def broken(progress: StageProgress) -> None:
        raise RuntimeError("display gone")

    container = a1111_container(a1111_server, tmp_path)
    assert container.pipeline_controller().run(pipeline(), progress=broken).success
    # called directly, the backend itself keeps a broken listener from failing the stage
    request = StageRequest(stage="txt2img", params={"steps": 2, "width": 64, "height": 64}, prompt="x")
    assert container.backend().generate(request, progress=broken).images


def test_cancelled_before_the_stage_sends_nothing(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    backend = a1111_container(a1111_server, tmp_path).backend()
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        backend.generate(StageRequest(stage="txt2img", params={}, prompt="x"), token)
    assert a1111_server.count(TXT2IMG) == 0 and a1111_server.interrupts == 0


def test_a_failing_progress_endpoint_does_not_fail_the_stage(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.generation_delay_s = 0.4
    a1111_server.add_fault("/sdapi/v1/progress", Fault("status", status=500, times=50))
    container = a1111_container(a1111_server, tmp_path, stall_timeout_s=5.0)
    assert container.pipeline_controller().run(pipeline()).success
    assert a1111_server.count("/sdapi/v1/progress") >= 2


def test_cancel_during_an_upscale_discards_its_result(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    a1111_server.add_fault("/sdapi/v1/extra-single-image", Fault("timeout", delay_s=0.6))
    container = a1111_container(a1111_server, tmp_path)
    backend = container.backend()
    first = backend.generate(StageRequest(stage="txt2img", params={"steps": 2, "width": 64, "height": 64},
                                          prompt="x"))
    token = CancelToken()
    timer = CancelWhen(token, lambda: a1111_server.count("/sdapi/v1/extra-single-image") > 0)
    with pytest.raises(CancelledError):
        backend.generate(StageRequest(stage="upscale", params={"upscaler": "Lanczos", "upscaling_resize": 2},
                                      prompt="x", input_image=first.images[0].data), token)
    timer.join()
    assert a1111_server.interrupts == 1


def test_an_interrupt_that_cannot_be_sent_is_only_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.backends.a1111_helpers import closed_port_url

    backend = a1111_container(closed_port_url(), tmp_path).backend()
    backend.client.interrupt()
    assert "could not interrupt the A1111 server" in caplog.text


def test_an_unvalidated_unknown_name_fails_the_stage_as_bad_request(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    from stablenew.domain.run.failures import BackendError

    backend = a1111_container(a1111_server, tmp_path).backend()
    with pytest.raises(BackendError) as caught:
        backend.generate(StageRequest(stage="txt2img", params={"sampler_name": "Eular a"}, prompt="x"))
    assert caught.value.kind == "bad_request" and "txt2img.sampler_name" in str(caught.value)
    assert a1111_server.count(TXT2IMG) == 0
