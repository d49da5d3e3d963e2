"""Upscale graphs, user workflows (auto-detected and overridden mappings), adetailer, validate()."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from tests.backends.comfyui_helpers import config, make_backend, png
from tests.servers import comfyui_fixtures
from tests.servers import comfyui_graphs as graphs
from tests.servers.comfyui_server import FakeComfyUIServer

from stablenew.domain.errors import ConfigError
from stablenew.domain.run.failures import BackendError
from stablenew.domain.run.generation import StageRequest

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.mark.parametrize(
    ("upscaler", "classes", "model"),
    [
        (
            "R-ESRGAN 4x+",
            {"LoadImage", "UpscaleModelLoader", "ImageUpscaleWithModel", "ImageScaleBy", "SaveImage"},
            "RealESRGAN_x4plus.pth",
        ),
        ("Lanczos", {"LoadImage", "ImageScaleBy", "SaveImage"}, None),
    ],
)
def test_upscale_by_model_or_plain_method(
    comfyui_server: FakeComfyUIServer,
    upscaler: str,
    classes: set[str],
    model: str | None,
) -> None:
    request = StageRequest(
        stage="upscale",
        params={"upscaler": upscaler, "upscaling_resize": 2.0},
        prompt="p",
        input_image=png((32, 24)),
    )
    output = make_backend(comfyui_server.base_url).generate(request)
    graph = comfyui_server.prompts[-1]["prompt"]
    assert {n["class_type"] for n in graph.values()} == classes
    assert _size(output.images[0].data) == (64, 48)
    assert output.params["comfyui_upscale_model"] == model and output.images[0].seed is None


def _write(path: Path, graph: dict) -> Path:
    path.write_text(json.dumps(graph), encoding="utf-8")
    return path


def test_user_workflow_mapping_is_detected_from_class_types_and_links(
    tmp_path: Path,
    comfyui_server: FakeComfyUIServer,
) -> None:
    graph = {f"n{k}": v for k, v in graphs.txt2img_graph().items()}  # other node ids, same links
    for node in graph.values():
        for name, value in node["inputs"].items():
            if isinstance(value, list):
                node["inputs"][name] = [f"n{value[0]}", value[1]]
    backend = make_backend(comfyui_server.base_url, workflows={"txt2img": _write(tmp_path / "w.json", graph)})
    output = backend.generate(
        StageRequest(
            stage="txt2img",
            params={"seed": 9, "width": 72, "height": 64, "sampler_name": "Euler a"},
            prompt="hi",
        )
    )
    sent = comfyui_server.prompts[-1]["prompt"]
    assert sent["n3"]["inputs"]["seed"] == 9 and sent["n3"]["inputs"]["sampler_name"] == "euler_ancestral"
    assert sent["n6"]["inputs"]["text"] == "hi" and sent["n5"]["inputs"]["width"] == 72
    assert sent["n4"]["inputs"]["ckpt_name"] == "sd15.safetensors"  # the workflow's own checkpoint is kept
    assert output.params["comfyui_workflow"] == str(tmp_path / "w.json")


def test_explicit_mapping_overrides_detection(tmp_path: Path, comfyui_server: FakeComfyUIServer) -> None:
    graph = graphs.txt2img_graph()
    graph["20"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "style", "clip": ["4", 1]}}
    workflow = _write(tmp_path / "w.json", graph)
    backend = make_backend(
        comfyui_server.base_url,
        workflows={"txt2img": workflow},
        mappings={"txt2img": {"negative": ["7.text", "20.text"]}},
    )
    backend.generate(StageRequest(stage="txt2img", params={"seed": 1}, prompt="p", negative_prompt="ugly"))
    sent = comfyui_server.prompts[-1]["prompt"]
    assert sent["7"]["inputs"]["text"] == "ugly" and sent["20"]["inputs"]["text"] == "ugly"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"nodes": [], "links": []}', "Save (API Format)"),
        ("not json", "not a readable JSON workflow"),
        ('{"1": {"inputs": {}}}', "bad nodes: 1"),
    ],
)
def test_bad_workflow_files_are_config_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(content, encoding="utf-8")
    backend = make_backend("http://127.0.0.1:9", workflows={"txt2img": path})
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        backend.templates.for_stage("txt2img")


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"seed": "99.seed"}, "node '99' is not in the workflow"),
        ({"seed": "3"}, "NODE_ID.input"),
        ({"colour": "3.seed"}, "unknown field"),
    ],
)
def test_bad_mappings_are_config_errors(tmp_path: Path, mapping: dict, message: str) -> None:
    workflow = _write(tmp_path / "w.json", graphs.txt2img_graph())
    backend = make_backend(
        "http://127.0.0.1:9", workflows={"txt2img": workflow}, mappings={"txt2img": mapping}
    )
    with pytest.raises(ConfigError, match=message):
        backend.templates.for_stage("txt2img")


def test_two_samplers_without_a_mapping_ask_for_one(tmp_path: Path) -> None:
    graph = graphs.txt2img_graph()
    graph["30"] = json.loads(json.dumps(graph["3"]))
    backend = make_backend("http://127.0.0.1:9", workflows={"txt2img": _write(tmp_path / "w.json", graph)})
    with pytest.raises(ConfigError, match="2 KSampler nodes"):
        backend.templates.for_stage("txt2img")


def test_missing_workflow_file(tmp_path: Path) -> None:
    backend = make_backend("http://127.0.0.1:9", workflows={"img2img": tmp_path / "none.json"})
    with pytest.raises(ConfigError, match="file not found"):
        backend.templates.for_stage("img2img")


def test_adetailer_needs_a_workflow(comfyui_server: FakeComfyUIServer) -> None:
    backend = make_backend(comfyui_server.base_url)
    with pytest.raises(ConfigError, match="adetailer_workflow"):
        backend.validate([config(txt2img={}, adetailer={})], source="p.toml")
    request = StageRequest(stage="adetailer", params={}, prompt="p", input_image=png())
    with pytest.raises(BackendError, match="no ADetailer"):
        backend.generate(request)


def test_adetailer_runs_a_user_workflow(tmp_path: Path, comfyui_server: FakeComfyUIServer) -> None:
    graph = graphs.img2img_graph("placeholder.png")
    backend = make_backend(
        comfyui_server.base_url, workflows={"adetailer": _write(tmp_path / "ad.json", graph)}
    )
    request = StageRequest(
        stage="adetailer",
        params={"ad_denoising_strength": 0.3, "ad_prompt": "a face", "seed": 3},
        prompt="p",
        input_image=png(),
    )
    output = backend.generate(request)
    sent = comfyui_server.prompts[-1]["prompt"]
    assert sent["3"]["inputs"]["denoise"] == 0.3 and sent["6"]["inputs"]["text"] == "a face"
    assert output.params["ad_denoising_strength"] == 0.3


@pytest.mark.parametrize(
    ("stage", "params", "field", "hint"),
    [
        ("txt2img", {"sampler_name": "Eulr a"}, "txt2img.sampler_name", "euler"),
        ("txt2img", {"sampler_name": "Restart"}, "txt2img.sampler_name", "ComfyUI lists"),
        ("txt2img", {"scheduler": "Polyexponential"}, "txt2img.scheduler", "exponential"),
        ("txt2img", {"model": "sd16.safetensors"}, "txt2img.model", "sd15.safetensors"),
        ("txt2img", {"vae": "nope.pt"}, "txt2img.vae", "ComfyUI lists"),
        ("upscale", {"upscaler": "4x-UltraSharp"}, "upscale.upscaler", "RealESRGAN_x4plus.pth"),
    ],
)
def test_validate_names_the_field_and_close_matches(
    comfyui_server: FakeComfyUIServer,
    stage: str,
    params: dict,
    field: str,
    hint: str,
) -> None:
    stages = {"txt2img": params} if stage == "txt2img" else {"txt2img": {}, stage: params}
    with pytest.raises(ConfigError) as caught:
        make_backend(comfyui_server.base_url).validate([config(**stages)], source="p.toml")
    assert caught.value.field == field and caught.value.source == "p.toml" and hint in str(caught.value)
    assert comfyui_server.prompts == []


def test_validate_accepts_a1111_and_comfyui_spellings(comfyui_server: FakeComfyUIServer) -> None:
    backend = make_backend(comfyui_server.base_url)
    backend.validate(
        [
            config(
                txt2img={
                    "sampler_name": "DPM++ 2M Karras",
                    "model": "sd15.safetensors [abc123]",
                    "vae": "sdxl_vae",
                }
            ),
            config(
                txt2img={"sampler_name": "dpmpp_2m", "scheduler": "karras"},
                upscale={"upscaler": "R-ESRGAN 4x+"},
            ),
        ]
    )
    assert comfyui_server.count("/object_info") == 1


def test_check_reports_what_the_server_offers(comfyui_server: FakeComfyUIServer) -> None:
    status = make_backend(comfyui_server.base_url).check()
    assert status.usable and status.version == "0.3.40" and "sd15.safetensors" in status.models
    assert "dpmpp_2m" in status.samplers and "karras" in status.schedulers
    assert "RealESRGAN_x4plus.pth" in status.upscalers


def test_check_of_a_server_that_is_not_there() -> None:
    from tests.backends.comfyui_helpers import free_port

    status = make_backend(f"http://127.0.0.1:{free_port()}", retries=0).check()
    assert not status.usable and "connection refused" in status.reason
