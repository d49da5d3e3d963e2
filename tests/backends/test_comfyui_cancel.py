"""Cancel → POST /interrupt → CancelledError; a silent server is a stall; progress reaches a callback."""

from __future__ import annotations

import threading
import time

import pytest
from tests.backends.comfyui_helpers import make_backend
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_server import FakeComfyUIServer

from stablenew.domain.errors import CancelledError
from stablenew.domain.run.cancel import CancelToken
from stablenew.domain.run.failures import BackendError
from stablenew.domain.run.generation import StageProgress, StageRequest

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name

REQUEST = StageRequest(
    stage="txt2img", params={"steps": 40, "seed": 1, "width": 64, "height": 64}, prompt="p"
)


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.05}], indirect=True)
def test_cancel_interrupts_the_server_and_raises_cancelled(comfyui_server: FakeComfyUIServer) -> None:
    cancel, seen, threads = CancelToken(), [], []

    def progress(event: StageProgress) -> None:
        seen.append(event)
        if event.step == 3:
            threads.append(threading.Thread(target=cancel.cancel, args=("user asked",)))
            threads[-1].start()

    backend = make_backend(comfyui_server.base_url)
    with pytest.raises(CancelledError):
        backend.generate(REQUEST, cancel, progress)
    threads[0].join(5)  # the interrupt is posted by the thread that cancelled
    assert comfyui_server.interrupts == 1
    assert (seen[0].stage, seen[0].total, seen[0].detail) == ("txt2img", 40, "node 3")


def test_a_cancelled_token_stops_before_any_prompt(comfyui_server: FakeComfyUIServer) -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(CancelledError):
        make_backend(comfyui_server.base_url).generate(REQUEST, cancel)
    assert comfyui_server.prompts == []


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 2.0}], indirect=True)
def test_a_stalled_server_is_interrupted_and_named(comfyui_server: FakeComfyUIServer) -> None:
    backend = make_backend(comfyui_server.base_url, stall_timeout_s=0.3)
    with pytest.raises(BackendError) as caught:
        backend.generate(REQUEST)
    assert caught.value.kind == "stalled" and comfyui_server.interrupts == 1


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.2}], indirect=True)
def test_the_stage_timeout_interrupts_too(comfyui_server: FakeComfyUIServer) -> None:
    # 40 steps of 0.2 s: 8 s of generation; the 1.5 s stage budget runs out mid-generation even on a
    # busy machine (the catalog is read first, outside the budget, so the prompt is surely queued)
    backend = make_backend(comfyui_server.base_url, stage_timeout_s=1.5)
    backend.catalog()
    with pytest.raises(BackendError) as caught:
        backend.generate(REQUEST)
    assert caught.value.kind == "timeout" and comfyui_server.interrupts == 1


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.2}], indirect=True)
def test_the_stage_timeout_while_polling(comfyui_server: FakeComfyUIServer) -> None:
    from tests.servers.comfyui_server import ComfyFault

    comfyui_server.add_fault("/ws", ComfyFault("status", status=503))
    # 40 steps of 0.2 s: 8 s of generation; the 1.5 s stage budget runs out mid-generation even on a
    # busy machine (the catalog is read first, outside the budget, so the prompt is surely queued)
    backend = make_backend(comfyui_server.base_url, stage_timeout_s=1.5)
    backend.catalog()
    with pytest.raises(BackendError) as caught:
        backend.generate(REQUEST)
    assert caught.value.kind == "timeout" and comfyui_server.interrupts == 1


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.05}], indirect=True)
def test_an_interrupt_from_elsewhere_is_a_named_failure(comfyui_server: FakeComfyUIServer) -> None:
    import httpx

    def progress(event: StageProgress) -> None:
        if event.step == 2:
            httpx.post(comfyui_server.base_url + "/interrupt", json={})

    backend = make_backend(comfyui_server.base_url)
    with pytest.raises(BackendError) as caught:
        backend.generate(REQUEST, progress=progress)
    assert caught.value.kind == "interrupted"


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.05}], indirect=True)
def test_cancel_while_polling_history(comfyui_server: FakeComfyUIServer) -> None:
    from tests.servers.comfyui_server import ComfyFault

    comfyui_server.add_fault("/ws", ComfyFault("status", status=503))
    cancel = CancelToken()

    def cancel_once_polling() -> None:  # not on a timer: a loaded machine may not have posted yet
        while comfyui_server.count("/history") == 0:
            time.sleep(0.01)
        cancel.cancel()

    canceller = threading.Thread(target=cancel_once_polling, daemon=True)
    canceller.start()
    with pytest.raises(CancelledError):
        make_backend(comfyui_server.base_url).generate(REQUEST, cancel)
    canceller.join(5)  # the interrupt is posted by the thread that cancelled
    assert comfyui_server.interrupts == 1
