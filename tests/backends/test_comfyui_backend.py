"""ComfyUIBackend against a real fake ComfyUI (HTTP + websocket) on 127.0.0.1: what it sends and gets."""

from __future__ import annotations

import io

from PIL import Image
from tests.backends.comfyui_helpers import make_backend, png
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_server import FakeComfyUIServer

from stablenew.domain.run.generation import StageRequest

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name


def _txt2img(**params: object) -> StageRequest:
    base = {
        "width": 64,
        "height": 48,
        "steps": 3,
        "cfg_scale": 6.5,
        "sampler_name": "DPM++ 2M",
        "scheduler": "Karras",
        "seed": 42,
        "model": "sd15",
    }
    return StageRequest(
        stage="txt2img",
        params={**base, **params},
        prompt="a lighthouse",
        negative_prompt="blurry",
        run_id="run1",
    )


def test_txt2img_payload_has_checkpoint_translated_names_seed_sizes_and_unique_prefix(
    comfyui_server: FakeComfyUIServer,
) -> None:
    backend = make_backend(comfyui_server.base_url)
    output = backend.generate(_txt2img())
    body = comfyui_server.prompts[-1]
    graph = body["prompt"]
    assert body["client_id"].startswith(backend.client_id + "-")  # one websocket client per stage
    assert ("GET", f"/ws?clientId={body['client_id']}") in comfyui_server.requests
    assert graph["3"]["inputs"] | {} == graph["3"]["inputs"]
    ks = graph["3"]["inputs"]
    assert (ks["seed"], ks["steps"], ks["cfg"], ks["sampler_name"], ks["scheduler"], ks["denoise"]) == (
        42,
        3,
        6.5,
        "dpmpp_2m",
        "karras",
        1.0,
    )
    assert graph["4"]["inputs"]["ckpt_name"] == "sd15.safetensors"
    assert graph["5"]["inputs"] == {"width": 64, "height": 48, "batch_size": 1}
    assert graph["6"]["inputs"]["text"] == "a lighthouse"
    assert graph["7"]["inputs"]["text"] == "blurry"
    assert graph["9"]["inputs"]["filename_prefix"].startswith("stablenew/run1-txt2img-")
    assert len(output.images) == 1
    with Image.open(io.BytesIO(output.images[0].data)) as image:
        assert image.size == (64, 48)
    assert output.images[0].seed == 42
    params = output.params
    assert params["sampler_name"] == "DPM++ 2M" and params["comfyui_sampler_name"] == "dpmpp_2m"
    assert params["scheduler"] == "Karras" and params["comfyui_scheduler"] == "karras"
    assert params["model"] == "sd15.safetensors" and params["comfyui_version"] == "0.3.40"
    assert params["comfyui_progress"] == "websocket"
    assert params["comfyui_prompt_id"] in comfyui_server.history


def test_seed_minus_one_is_drawn_sent_and_returned(comfyui_server: FakeComfyUIServer) -> None:
    output = make_backend(comfyui_server.base_url).generate(_txt2img(seed=-1))
    sent = comfyui_server.prompts[-1]["prompt"]["3"]["inputs"]["seed"]
    assert sent >= 0 and output.params["seed"] == sent == output.images[0].seed


def test_identical_requests_still_give_fresh_outputs(comfyui_server: FakeComfyUIServer) -> None:
    backend = make_backend(comfyui_server.base_url)
    first, second = backend.generate(_txt2img()), backend.generate(_txt2img())
    prefixes = {p["prompt"]["9"]["inputs"]["filename_prefix"] for p in comfyui_server.prompts}
    assert len(prefixes) == 2
    assert first.params["comfyui_prompt_id"] != second.params["comfyui_prompt_id"]
    assert len(second.images) == 1


def test_img2img_uploads_the_input_and_loads_it(comfyui_server: FakeComfyUIServer) -> None:
    request = StageRequest(
        stage="img2img",
        params={"denoising_strength": 0.4, "seed": 5, "steps": 2, "width": 48, "height": 40},
        prompt="p",
        input_image=png((32, 32)),
        run_id="r",
    )
    output = make_backend(comfyui_server.base_url).generate(request)
    upload = comfyui_server.uploads[-1]
    graph = comfyui_server.prompts[-1]["prompt"]
    assert graph["10"]["inputs"]["image"] == upload["filename"]
    assert graph["3"]["inputs"]["denoise"] == 0.4
    assert output.params["denoising_strength"] == 0.4
    with Image.open(io.BytesIO(output.images[0].data)) as image:
        assert image.size == (48, 40)
