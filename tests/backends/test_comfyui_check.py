"""`backends check` and the record on ComfyUI servers that lack things: a version, checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends.comfyui_helpers import make_backend
from tests.servers import comfyui_graphs as graphs
from tests.servers.comfyui_server import FakeComfyUIServer

from stablenew.domain.run.generation import StageRequest

REQUEST = StageRequest(stage="txt2img", params={"steps": 2, "seed": 3, "width": 64, "height": 64}, prompt="p")


def test_an_unreported_version_is_recorded_as_null() -> None:
    with FakeComfyUIServer(reports_version=False) as server:
        backend = make_backend(server.base_url)
        output = backend.generate(REQUEST)
        status = backend.check()
    assert output.params["comfyui_version"] is None and status.version is None and status.usable


def test_a_reported_version_is_recorded() -> None:
    with FakeComfyUIServer() as server:
        output = make_backend(server.base_url).generate(REQUEST)
    assert isinstance(output.params["comfyui_version"], str) and output.params["comfyui_version"] != "None"


def test_no_checkpoints_is_unusable_with_a_reason() -> None:
    with FakeComfyUIServer(checkpoints=()) as server:
        status = make_backend(server.base_url).check()
    assert not status.usable and status.reason == "ComfyUI lists no checkpoints (models/checkpoints is empty)"
    assert status.samplers  # the rest is still reported


def test_no_checkpoints_is_fine_for_a_workflow_that_loads_no_checkpoint(tmp_path: Path) -> None:
    graph = graphs.txt2img_graph()
    graph[graphs.CHECKPOINT] = {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors",
                                                                        "weight_dtype": "default"}}
    workflow = tmp_path / "flux_api.json"
    workflow.write_text(json.dumps(graph), encoding="utf-8")
    with FakeComfyUIServer(checkpoints=()) as server:
        status = make_backend(server.base_url, workflows={"txt2img": workflow}).check()
        broken = tmp_path / "broken.json"
        broken.write_text("{", encoding="utf-8")
        assert not make_backend(server.base_url, workflows={"txt2img": broken}).check().usable
    assert status.usable and status.reason == ""
