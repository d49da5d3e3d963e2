"""ComfyUI websocket `progress` messages reach the port's progress listener as StageProgress values."""

from __future__ import annotations

import pytest
from tests.backends.comfyui_helpers import make_backend
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_server import FakeComfyUIServer

from stablenew.domain.run.generation import StageProgress, StageRequest

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.02}], indirect=True)
def test_websocket_progress_reaches_the_listener_step_by_step(comfyui_server: FakeComfyUIServer) -> None:
    seen: list[StageProgress] = []
    backend = make_backend(comfyui_server.base_url)
    request = StageRequest(stage="txt2img", params={"steps": 12, "seed": 1, "width": 64, "height": 64},
                           prompt="p")
    backend.generate(request, progress=seen.append)
    assert [p.step for p in seen] == list(range(1, 13))
    assert {(p.stage, p.total, p.detail) for p in seen} == {("txt2img", 12, "node 3")}
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_failing_listener_does_not_fail_the_stage(comfyui_server: FakeComfyUIServer) -> None:
    def broken(progress: StageProgress) -> None:
        raise RuntimeError("display gone")

    backend = make_backend(comfyui_server.base_url)
    output = backend.generate(StageRequest(stage="txt2img", params={"steps": 3, "width": 64, "height": 64},
                                           prompt="p"), progress=broken)
    assert len(output.images) == 1


def test_a_progress_message_without_numbers_still_reads() -> None:
    from stablenew.adapters.backends.comfyui.job import stage_progress

    assert stage_progress("img2img", {"value": 3, "max": 4, "node": "12"}) == StageProgress(
        "img2img", 0.75, step=3, total=4, detail="node 12")
    odd = stage_progress("txt2img", {"value": "3", "max": 0})
    assert (odd.fraction, odd.step, odd.total, odd.detail) == (0.0, None, None, "")
