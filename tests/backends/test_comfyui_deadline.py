"""Queued prompts are removed on cancel/timeout; the stage timeout bounds retries; retries per stage."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from tests.backends.cancel_helpers import CancelWhen
from tests.backends.comfyui_helpers import make_backend, png
from tests.servers import comfyui_fixtures
from tests.servers import comfyui_graphs as graphs
from tests.servers.comfyui_server import ComfyFault, FakeComfyUIServer

from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError
from stablenew.domain.run.generation import StageOutput, StageRequest

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name

REQUEST = StageRequest(stage="txt2img", params={"steps": 3, "seed": 1, "width": 64, "height": 64}, prompt="p")
UPSCALE = StageRequest(stage="upscale", params={"upscaler": "Lanczos", "upscaling_resize": 2}, prompt="p",
                       input_image=png())


def _blocker(server: FakeComfyUIServer) -> str:
    """Someone else's long prompt, running, so that ours waits in the queue."""
    answer = httpx.post(server.base_url + "/prompt", json={"prompt": graphs.txt2img_graph(steps=200)})
    prompt_id = answer.json()["prompt_id"]
    deadline = time.monotonic() + 5
    while not httpx.get(server.base_url + "/queue").json()["queue_running"]:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return prompt_id


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.05}], indirect=True)
@pytest.mark.parametrize("how", ["cancel", "stage-timeout"])
def test_a_queued_prompt_that_is_given_up_never_runs(comfyui_server: FakeComfyUIServer, how: str) -> None:
    blocker = _blocker(comfyui_server)
    cancel = CancelToken()
    if how == "cancel":
        timer = CancelWhen(cancel, lambda: len(comfyui_server.prompts) > 1)  # ours queued behind it
        with pytest.raises(CancelledError):
            make_backend(comfyui_server.base_url).generate(REQUEST, cancel)
        timer.join(5)
    else:
        backend = make_backend(comfyui_server.base_url, stage_timeout_s=1.5)  # the blocker runs 10 s
        backend.catalog()  # read outside the stage budget, so ours is surely queued before it runs out
        with pytest.raises(BackendError) as caught:
            backend.generate(REQUEST)
        assert caught.value.kind == "timeout"
    queue = httpx.get(comfyui_server.base_url + "/queue").json()
    assert queue["queue_pending"] == []  # ours was deleted from the queue ...
    assert [item[1] for item in queue["queue_running"]] == [blocker]  # ... and the other prompt runs on
    httpx.post(comfyui_server.base_url + "/interrupt", json={"prompt_id": blocker})
    comfyui_server.wait_for_history(blocker)
    time.sleep(0.3)
    assert list(comfyui_server.history) == [blocker] and len(comfyui_server.prompts) == 2


def test_retries_stop_at_the_stage_deadline(comfyui_server: FakeComfyUIServer) -> None:
    comfyui_server.add_fault("/prompt", ComfyFault("status", status=503, times=20))
    backend = make_backend(comfyui_server.base_url, retries=10, retry_backoff_s=0.2, stage_timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        backend.generate(REQUEST)
    assert time.monotonic() - started < 5.0  # 10 retries with growing waits would take far longer
    assert caught.value.kind == "server_error" and caught.value.retries == 1
    assert comfyui_server.count("/prompt") == 2  # waits 0.2 s, then the next 0.4 s wait would pass 0.5 s


def test_a_call_with_no_stage_time_left_fails_as_a_timeout(comfyui_server: FakeComfyUIServer) -> None:
    from stablenew.adapters.backends.http import Budget

    backend = make_backend(comfyui_server.base_url)
    with pytest.raises(BackendError, match="stage timeout was reached before this request") as caught:
        backend.client.get_json("/system_stats", Budget(deadline=time.monotonic() - 1))
    assert caught.value.kind == "timeout" and comfyui_server.count("/system_stats") == 0


def test_a_cancel_during_the_backoff_wait_is_a_cancel(comfyui_server: FakeComfyUIServer) -> None:
    comfyui_server.add_fault("/upload/image", ComfyFault("status", status=503, times=5))
    backend = make_backend(comfyui_server.base_url, retries=1, retry_backoff_s=20.0, stage_timeout_s=60.0)
    cancel = CancelToken()
    uploaded = lambda: comfyui_server.count("/upload/image") > 0  # noqa: E731
    timer = CancelWhen(cancel, uploaded, reason="stopped by the user")
    with pytest.raises(CancelledError, match="stopped by the user"):
        backend.generate(UPSCALE, cancel)
    timer.join(5)
    assert timer.seconds_since_cancel() < 3.0  # the 20 s wait woke up on the cancel
    assert comfyui_server.count("/upload/image") == 1 and comfyui_server.prompts == []


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.1}], indirect=True)
def test_retries_are_counted_per_stage_even_side_by_side(comfyui_server: FakeComfyUIServer) -> None:
    backend = make_backend(comfyui_server.base_url, retry_backoff_s=0.1)
    outputs: dict[str, StageOutput] = {}

    def run(name: str, request: StageRequest) -> None:
        outputs[name] = backend.generate(request)

    quiet = threading.Thread(target=run, args=("quiet", REQUEST))
    quiet.start()
    time.sleep(0.1)  # the quiet stage is running when the other one starts retrying
    comfyui_server.add_fault("/upload/image", ComfyFault("status", status=503, times=2))
    run("retried", UPSCALE)
    quiet.join(10)
    assert outputs["retried"].params["retries"] == 2
    assert "retries" not in outputs["quiet"].params


def test_a_call_that_fails_after_a_cancel_is_a_cancel(comfyui_server: FakeComfyUIServer) -> None:
    from stablenew.adapters.backends.http import Budget

    comfyui_server.add_fault("/system_stats", ComfyFault("status", status=503, times=3))
    cancel = CancelToken()
    cancel.cancel("stopped by the user")
    with pytest.raises(CancelledError, match="stopped by the user"):
        make_backend(comfyui_server.base_url).client.get_json("/system_stats", Budget(cancel))
    assert comfyui_server.count("/system_stats") == 1


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.2}], indirect=True)
def test_a_history_poll_cut_by_the_stage_deadline_interrupts_the_prompt(
    comfyui_server: FakeComfyUIServer,
) -> None:
    comfyui_server.add_fault("/ws", ComfyFault("status", status=503))  # so /history is polled
    comfyui_server.add_fault("/history", ComfyFault("timeout", delay_s=10.0, times=5))
    backend = make_backend(comfyui_server.base_url, stage_timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        backend.generate(REQUEST)
    assert time.monotonic() - started < 6.0  # the 0.5 s stage deadline, not a 10 s poll (busy-machine margin)
    assert caught.value.kind == "timeout" and "stage timeout" in str(caught.value)
    assert comfyui_server.interrupts == 1 and comfyui_server.count("/queue") == 1
