"""The fake ComfyUI server honours the ComfyUI HTTP + websocket contract, over real sockets."""

from __future__ import annotations

import io
import json
import struct
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from PIL import Image
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from . import comfyui_fixtures
from .comfyui_graphs import img2img_graph, txt2img_graph, with_model_upscale
from .comfyui_server import ComfyFault, FakeComfyUIServer

comfyui_server = comfyui_fixtures.comfyui_server

ALL_NODES = ["3", "4", "5", "6", "7", "8", "9"]


@pytest.fixture
def http(comfyui_server: FakeComfyUIServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=comfyui_server.base_url, timeout=5.0) as client:
        yield client


@contextmanager
def websocket(server: FakeComfyUIServer, client_id: str) -> Iterator[ClientConnection]:
    with connect(f"{server.ws_url}?clientId={client_id}", open_timeout=5, close_timeout=1) as ws:
        hello = json.loads(ws.recv(timeout=5))
        assert hello == {
            "type": "status",
            "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": client_id},
        }
        yield ws


def run_until_done(
    ws: ClientConnection, prompt_id: str, timeout: float = 5.0
) -> tuple[list[dict], list[bytes]]:
    """Read like ComfyUI's websockets_api_example: until ``executing`` with ``node: null`` for our prompt."""
    messages: list[dict[str, Any]] = []
    frames: list[bytes] = []
    deadline = time.monotonic() + timeout
    while True:
        raw = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(raw, bytes):
            frames.append(raw)
            continue
        message = json.loads(raw)
        messages.append(message)
        data = message["data"]
        if message["type"] == "executing" and data["node"] is None and data["prompt_id"] == prompt_id:
            return messages, frames


def wait_for_message(ws: ClientConnection, kind: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        raw = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(raw, str) and (message := json.loads(raw))["type"] == kind:
            return message["data"]


def submit(http: httpx.Client, graph: dict[str, Any], client_id: str) -> str:
    response = http.post("/prompt", json={"prompt": graph, "client_id": client_id})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["node_errors"] == {}
    return body["prompt_id"]


def of_type(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m["data"] for m in messages if m["type"] == kind]


def events(messages: list[dict[str, Any]]) -> list[str]:
    return [m["type"] for m in messages if m["type"] != "status"]


def png_bytes(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def test_system_stats_and_object_info_have_comfyui_shapes(
    comfyui_server: FakeComfyUIServer, http: httpx.Client
) -> None:
    stats = http.get("/system_stats").json()
    assert stats["system"]["comfyui_version"] == "0.3.40"
    assert stats["system"]["embedded_python"] is False
    assert stats["devices"][0]["type"] == "cuda"
    assert stats["devices"][0]["vram_total"] >= stats["devices"][0]["vram_free"] > 0

    info = http.get("/object_info").json()
    for name in (
        "CheckpointLoaderSimple",
        "KSampler",
        "CLIPTextEncode",
        "EmptyLatentImage",
        "VAEDecode",
        "VAEEncode",
        "SaveImage",
        "LoadImage",
        "UpscaleModelLoader",
        "ImageUpscaleWithModel",
        "ImageScaleBy",
        "VAELoader",
    ):
        assert info[name]["name"] == name
    ckpt = info["CheckpointLoaderSimple"]
    assert ckpt["input"]["required"]["ckpt_name"][0] == ["sd15.safetensors", "sdxl_base.safetensors"]
    assert ckpt["output"] == ["MODEL", "CLIP", "VAE"]
    sampler = info["KSampler"]["input"]["required"]
    assert sampler["seed"][0] == "INT" and sampler["seed"][1]["max"] == 2**64 - 1
    assert sampler["steps"][0] == "INT" and sampler["steps"][1]["min"] == 1
    assert sampler["cfg"][0] == "FLOAT" and sampler["denoise"][1]["max"] == 1.0
    assert sampler["sampler_name"][0] == list(comfyui_server.samplers)
    assert {"euler", "dpmpp_2m", "uni_pc"} <= set(sampler["sampler_name"][0])
    assert sampler["scheduler"][0] == [
        "normal",
        "karras",
        "exponential",
        "sgm_uniform",
        "simple",
        "ddim_uniform",
        "beta",
    ]
    assert sampler["model"] == ["MODEL"] and sampler["latent_image"] == ["LATENT"]
    assert info["KSampler"]["input_order"]["required"][:2] == ["model", "seed"]
    assert info["SaveImage"]["output_node"] is True and info["KSampler"]["output_node"] is False
    assert info["LoadImage"]["input"]["required"]["image"] == [[], {"image_upload": True}]
    assert info["UpscaleModelLoader"]["input"]["required"]["model_name"] == [
        "COMBO", {"multiselect": False, "options": ["RealESRGAN_x4plus.pth"]}]  # the newer shape, as recorded

    assert list(http.get("/object_info/KSampler").json()) == ["KSampler"]
    assert http.get("/api/object_info/KSampler").json() == {"KSampler": info["KSampler"]}
    assert http.get("/object_info/NoSuchNode").json() == {}
    assert http.get("/models/checkpoints").json() == ["sd15.safetensors", "sdxl_base.safetensors"]
    assert comfyui_server.count("/object_info") == 3
    assert comfyui_server.count("/api/") == 1


def test_txt2img_prompt_streams_progress_then_lands_in_history_and_view(
    comfyui_server: FakeComfyUIServer, http: httpx.Client
) -> None:
    client_id = uuid.uuid4().hex
    graph = txt2img_graph(steps=4, width=64, height=48, batch_size=2, prefix="StableNew")
    with websocket(comfyui_server, client_id) as ws:
        prompt_id = submit(http, graph, client_id)
        messages, frames = run_until_done(ws, prompt_id)

    kinds = events(messages)
    assert kinds[:2] == ["execution_start", "execution_cached"]
    assert kinds[-2:] == ["execution_success", "executing"]
    assert of_type(messages, "execution_cached")[0]["nodes"] == []
    ran = [d["node"] for d in of_type(messages, "executing") if d["node"] is not None]
    assert sorted(ran) == ALL_NODES and ran.index("4") < ran.index("3") < ran.index("8") < ran.index("9")
    assert all(d["prompt_id"] == prompt_id for d in of_type(messages, "executing"))
    progress = of_type(messages, "progress")
    assert [(p["value"], p["max"], p["node"]) for p in progress] == [(i, 4, "3") for i in range(1, 5)]
    expected_images = [
        {"filename": f"StableNew_0000{i}_.png", "subfolder": "", "type": "output"} for i in (1, 2)
    ]
    (executed,) = of_type(messages, "executed")
    assert executed == {
        "node": "9",
        "display_node": "9",
        "output": {"images": expected_images},
        "prompt_id": prompt_id,
    }
    assert len(frames) == 1 and frames[0][:8] == struct.pack(">II", 1, 1)
    assert Image.open(io.BytesIO(frames[0][8:])).format == "JPEG"

    entry = http.get(f"/history/{prompt_id}").json()[prompt_id]
    assert entry["prompt"][1:] == [prompt_id, graph, {"client_id": client_id}, ["9"]]
    assert entry["outputs"] == {"9": {"images": expected_images}}
    assert entry["status"]["status_str"] == "success" and entry["status"]["completed"] is True
    assert [m[0] for m in entry["status"]["messages"]] == [
        "execution_start",
        "execution_cached",
        "execution_success",
    ]
    assert entry["meta"]["9"]["node_id"] == "9"
    assert http.get("/history", params={"max_items": 5}).json() == {prompt_id: entry}

    for image in expected_images:
        response = http.get("/view", params=image)
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"
        png = Image.open(io.BytesIO(response.content))
        assert png.size == (64, 48)
        assert json.loads(png.text["prompt"]) == graph
    assert comfyui_server.prompts == [{"prompt": graph, "client_id": client_id}]
    assert ("GET", f"/ws?clientId={client_id}") in comfyui_server.requests
    assert comfyui_server.count("/view") == 2


def test_history_is_empty_while_running_and_queue_can_be_cleared(
    comfyui_server: FakeComfyUIServer, http: httpx.Client
) -> None:
    comfyui_server.step_delay_s = 0.03
    client_id = "queue-client"
    with websocket(comfyui_server, client_id) as ws:
        first = submit(http, txt2img_graph(steps=10, seed=1), client_id)
        second = submit(http, txt2img_graph(steps=10, seed=2), client_id)
        assert http.get(f"/history/{first}").json() == {}
        queue = http.get("/queue").json()
        assert [item[1] for item in queue["queue_running"]] == [first]
        assert [item[1] for item in queue["queue_pending"]] == [second]
        assert http.get("/prompt").json() == {"exec_info": {"queue_remaining": 2}}
        assert http.post("/queue", json={"clear": True}).status_code == 200
        assert http.get("/queue").json()["queue_pending"] == []
        run_until_done(ws, first)
    assert first in http.get("/history").json()
    assert http.get(f"/history/{second}").json() == {}


def test_bad_sampler_is_refused_with_node_errors(
    comfyui_server: FakeComfyUIServer, http: httpx.Client
) -> None:
    response = http.post("/prompt", json={"prompt": txt2img_graph(sampler="foo"), "client_id": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == {
        "type": "prompt_outputs_failed_validation",
        "message": "Prompt outputs failed validation",
        "details": "",
        "extra_info": {},
    }
    assert list(body["node_errors"]) == ["3"]
    node = body["node_errors"]["3"]
    assert node["class_type"] == "KSampler" and node["dependent_outputs"] == ["9"]
    (error,) = node["errors"]
    assert error["type"] == "value_not_in_list" and error["message"] == "Value not in list"
    assert error["details"].startswith("sampler_name: 'foo' not in ['euler', ")
    assert error["extra_info"]["input_name"] == "sampler_name"
    assert error["extra_info"]["received_value"] == "foo"
    assert http.get("/queue").json() == {"queue_running": [], "queue_pending": []}
    assert len(comfyui_server.prompts) == 1


def _broken(change: str) -> dict[str, Any]:
    graph = txt2img_graph()
    if change == "ckpt":
        graph["4"]["inputs"]["ckpt_name"] = "missing.safetensors"
    elif change == "steps":
        graph["3"]["inputs"]["steps"] = 0
    elif change == "cfg":
        graph["3"]["inputs"]["cfg"] = 1000
    elif change == "width":
        graph["5"]["inputs"]["width"] = "wide"
    elif change == "seed":
        del graph["3"]["inputs"]["seed"]
    elif change == "dangling":
        graph["8"]["inputs"]["vae"] = ["99", 2]
    elif change == "mismatch":
        graph["8"]["inputs"]["vae"] = ["4", 0]
    return graph


@pytest.mark.parametrize(
    ("change", "node_id", "error_type"),
    [
        ("ckpt", "4", "value_not_in_list"),
        ("steps", "3", "value_smaller_than_min"),
        ("cfg", "3", "value_bigger_than_max"),
        ("width", "5", "invalid_input_type"),
        ("seed", "3", "required_input_missing"),
        ("dangling", "8", "exception_during_inner_validation"),
        ("mismatch", "8", "return_type_mismatch"),
    ],
)
def test_graph_validation_errors_name_the_node(
    http: httpx.Client, change: str, node_id: str, error_type: str
) -> None:
    response = http.post("/prompt", json={"prompt": _broken(change), "client_id": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["type"] == "prompt_outputs_failed_validation"
    assert list(body["node_errors"]) == [node_id]
    assert [e["type"] for e in body["node_errors"][node_id]["errors"]] == [error_type]


def test_whole_prompt_errors_for_unknown_class_and_no_output(http: httpx.Client) -> None:
    graph = txt2img_graph()
    graph["3"]["class_type"] = "KSamplerTurbo"
    body = http.post("/prompt", json={"prompt": graph}).json()
    assert body["error"]["type"] == "invalid_prompt" and "KSamplerTurbo" in body["error"]["message"]
    assert body["node_errors"] == {}
    graph = txt2img_graph()
    del graph["9"]
    response = http.post("/prompt", json={"prompt": graph})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "prompt_no_outputs"
    assert http.post("/prompt", json={"client_id": "x"}).json()["error"]["type"] == "no_prompt"


def test_identical_prompt_is_served_from_the_execution_cache(
    comfyui_server: FakeComfyUIServer, http: httpx.Client
) -> None:
    client_id = "cache-client"
    with websocket(comfyui_server, client_id) as ws:
        graph = txt2img_graph(seed=7)
        first = submit(http, graph, client_id)
        run_until_done(ws, first)
        first_outputs = http.get(f"/history/{first}").json()[first]["outputs"]
        assert first_outputs["9"]["images"][0]["filename"] == "StableNew_00001_.png"

        again = submit(http, graph, client_id)
        messages, frames = run_until_done(ws, again)
        assert events(messages) == ["execution_start", "execution_cached", "execution_success", "executing"]
        assert sorted(of_type(messages, "execution_cached")[0]["nodes"]) == ALL_NODES
        assert frames == []
        entry = http.get(f"/history/{again}").json()[again]
        assert entry["outputs"] == first_outputs and entry["status"]["status_str"] == "success"

        new_seed = submit(http, txt2img_graph(seed=8), client_id)
        messages, _ = run_until_done(ws, new_seed)
        assert sorted(of_type(messages, "execution_cached")[0]["nodes"]) == ["4", "5", "6", "7"]
        assert [d["node"] for d in of_type(messages, "executing")] == ["3", "8", "9", None]
        (executed,) = of_type(messages, "executed")
        assert executed["output"]["images"][0]["filename"] == "StableNew_00002_.png"

        new_prefix = submit(http, txt2img_graph(seed=8, prefix="runs/abc"), client_id)
        messages, _ = run_until_done(ws, new_prefix)
        assert [d["node"] for d in of_type(messages, "executing")] == ["9", None]
        (executed,) = of_type(messages, "executed")
        assert executed["output"]["images"] == [
            {"filename": "abc_00001_.png", "subfolder": "runs", "type": "output"}
        ]
        assert http.get("/view", params=executed["output"]["images"][0]).status_code == 200

        comfyui_server.resend_cached_outputs = True  # newer ComfyUI re-sends the cached UI
        repeat = submit(http, txt2img_graph(seed=8, prefix="runs/abc"), client_id)
        messages, _ = run_until_done(ws, repeat)
        assert of_type(messages, "executed") == [executed | {"prompt_id": repeat}]


def test_uploaded_images_feed_img2img_and_upscale(
    comfyui_server: FakeComfyUIServer, http: httpx.Client
) -> None:
    data = png_bytes((40, 24), (10, 200, 30))
    upload = http.post(
        "/upload/image", files={"image": ("init.png", data, "image/png")}, data={"overwrite": "true"}
    )
    assert upload.json() == {"name": "init.png", "subfolder": "", "type": "input"}
    assert comfyui_server.uploads == [
        {
            "filename": "init.png",
            "subfolder": "",
            "type": "input",
            "size": len(data),
            "original_filename": "init.png",
            "overwrite": True,
        }
    ]
    same = http.post("/upload/image", files={"image": ("init.png", data, "image/png")}).json()
    assert same["name"] == "init.png"  # identical bytes are not stored twice
    other = http.post(
        "/upload/image", files={"image": ("init.png", png_bytes((8, 8), (0, 0, 0)), "image/png")}
    )
    assert other.json()["name"] == "init (1).png"
    nested = http.post(
        "/upload/image", files={"image": ("ref.png", data, "image/png")}, data={"subfolder": "refs"}
    ).json()
    assert nested == {"name": "ref.png", "subfolder": "refs", "type": "input"}
    escape = http.post(
        "/upload/image", files={"image": ("x.png", data, "image/png")}, data={"subfolder": "../.."}
    )
    assert escape.status_code == 400
    assert http.get("/object_info/LoadImage").json()["LoadImage"]["input"]["required"]["image"][0] == [
        "init (1).png",
        "init.png",
    ]

    client_id = "i2i"
    graph = with_model_upscale(img2img_graph("init.png", prefix="i2i"), scale_by=0.5)
    with websocket(comfyui_server, client_id) as ws:
        prompt_id = submit(http, graph, client_id)
        messages, _ = run_until_done(ws, prompt_id)
        (executed,) = of_type(messages, "executed")
        image = Image.open(io.BytesIO(http.get("/view", params=executed["output"]["images"][0]).content))
        assert image.size == (80, 48)  # 40x24, x4 by RealESRGAN_x4plus, x0.5 by ImageScaleBy
        assert submit(http, img2img_graph("refs/ref.png", prefix="nested"), client_id)

    bad = http.post("/prompt", json={"prompt": img2img_graph("missing.png"), "client_id": client_id})
    assert bad.status_code == 400
    (error,) = bad.json()["node_errors"]["10"]["errors"]
    assert error["type"] == "custom_validation_failed" and "missing.png" in error["details"]


@pytest.mark.parametrize("comfyui_server", [{"step_delay_s": 0.02}], indirect=True)
def test_interrupt_stops_the_running_job(comfyui_server: FakeComfyUIServer, http: httpx.Client) -> None:
    client_id = "interrupt-client"
    graph = txt2img_graph(steps=200)
    with websocket(comfyui_server, client_id) as ws:
        prompt_id = submit(http, graph, client_id)
        wait_for_message(ws, "progress")
        started = time.monotonic()
        assert http.post("/interrupt").status_code == 200
        messages, _ = run_until_done(ws, prompt_id)
        assert time.monotonic() - started < 1.0
        (interrupted,) = of_type(messages, "execution_interrupted")
        assert interrupted["node_id"] == "3" and interrupted["node_type"] == "KSampler"
        assert sorted(interrupted["executed"]) == ["4", "5", "6", "7"]
        assert "execution_success" not in events(messages) and of_type(messages, "executed") == []
        assert len(of_type(messages, "progress")) < 199
        assert comfyui_server.interrupts == 1

        entry = http.get(f"/history/{prompt_id}").json()[prompt_id]
        assert entry["status"]["status_str"] == "error" and entry["status"]["completed"] is False
        assert entry["status"]["messages"][-1][0] == "execution_interrupted"
        assert entry["outputs"] == {}

        comfyui_server.step_delay_s = 0
        retry = submit(http, graph, client_id)
        messages, _ = run_until_done(ws, retry)
        assert sorted(of_type(messages, "execution_cached")[0]["nodes"]) == ["4", "5", "6", "7"]
        assert events(messages)[-2] == "execution_success"


@pytest.mark.parametrize("fault_path", ["/ws", "/prompt"])
def test_ws_drop_cuts_the_socket_but_the_job_still_reaches_history(
    comfyui_server: FakeComfyUIServer, http: httpx.Client, fault_path: str
) -> None:
    comfyui_server.step_delay_s = 0.01
    comfyui_server.add_fault(fault_path, ComfyFault(kind="ws_drop"))
    client_id = "drop-client"
    seen: list[str] = []
    with websocket(comfyui_server, client_id) as ws:
        prompt_id = submit(http, txt2img_graph(steps=10), client_id)
        with pytest.raises(ConnectionClosed):
            while True:
                raw = ws.recv(timeout=5)
                if isinstance(raw, str):
                    seen.append(json.loads(raw)["type"])
    assert seen[-1] == "progress" and seen.count("progress") == 1

    deadline = time.monotonic() + 5
    while not (history := http.get(f"/history/{prompt_id}").json()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    entry = history[prompt_id]
    assert entry["status"]["status_str"] == "success"
    image = entry["outputs"]["9"]["images"][0]
    assert http.get("/view", params=image).status_code == 200
    assert comfyui_server.count("/history/") >= 1

    with websocket(comfyui_server, client_id) as ws:  # the fault was used up: the next run is clean
        again = submit(http, txt2img_graph(steps=3, seed=99), client_id)
        assert events(run_until_done(ws, again)[0])[-2] == "execution_success"


def test_view_refuses_path_traversal(comfyui_server: FakeComfyUIServer, http: httpx.Client) -> None:
    http.post("/upload/image", files={"image": ("secret.png", png_bytes((4, 4), (1, 2, 3)), "image/png")})
    assert http.get("/view", params={"filename": "secret.png", "type": "input"}).status_code == 200
    cases = [
        ({"filename": "../input/secret.png"}, 400),
        ({"filename": "/etc/passwd"}, 400),
        ({"filename": "..\\input\\secret.png"}, 400),
        ({"filename": "secret.png", "subfolder": "../input"}, 403),
        ({"filename": "passwd", "subfolder": "/etc"}, 403),
        ({"filename": "secret.png", "type": "bogus"}, 400),
        ({"filename": "secret.png"}, 404),  # type defaults to output
        ({"subfolder": ""}, 404),
    ]
    for params, status in cases:
        assert http.get("/view", params=params).status_code == status, params


def test_http_faults_are_served_in_order(comfyui_server: FakeComfyUIServer, http: httpx.Client) -> None:
    graph = txt2img_graph()
    comfyui_server.add_fault("/prompt", ComfyFault(kind="status", status=503, times=2))
    assert [http.post("/prompt", json={"prompt": graph}).status_code for _ in range(3)] == [503, 503, 200]

    comfyui_server.add_fault("/prompt", ComfyFault(kind="node_errors", message="checkpoint is corrupt"))
    refused = http.post("/prompt", json={"prompt": graph})
    assert refused.status_code == 400
    assert refused.json()["node_errors"]["3"]["errors"][0]["details"] == "checkpoint is corrupt"
    assert len(comfyui_server.prompts) == 4  # every POSTed body is recorded, faulted or not

    comfyui_server.add_fault("/history", ComfyFault(kind="malformed_json"))
    with pytest.raises(ValueError):
        http.get("/history/whatever").json()
    assert http.get("/history/whatever").json() == {}

    comfyui_server.add_fault("/system_stats", ComfyFault(kind="timeout", delay_s=2.0))
    with pytest.raises(httpx.ReadTimeout):
        http.get("/system_stats", timeout=0.2)
    assert http.get("/system_stats").status_code == 200

    comfyui_server.add_fault("/ws", ComfyFault(kind="status", status=500))
    with pytest.raises(InvalidStatus):
        connect(f"{comfyui_server.ws_url}?clientId=refused", open_timeout=5)

    with pytest.raises(ValueError):
        ComfyFault(kind="bogus")
    with pytest.raises(ValueError):
        comfyui_server.add_fault("/view", ComfyFault(kind="execution_error"))


def test_execution_error_fault_fails_the_job(comfyui_server: FakeComfyUIServer, http: httpx.Client) -> None:
    comfyui_server.add_fault("/prompt", ComfyFault(kind="execution_error"))
    client_id = "error-client"
    with websocket(comfyui_server, client_id) as ws:
        prompt_id = submit(http, txt2img_graph(), client_id)
        messages, _ = run_until_done(ws, prompt_id)
        (error,) = of_type(messages, "execution_error")
        assert error["node_id"] == "3" and error["node_type"] == "KSampler"
        assert error["exception_type"] == "torch.OutOfMemoryError"
        assert "execution_success" not in events(messages) and of_type(messages, "executed") == []
        entry = http.get(f"/history/{prompt_id}").json()[prompt_id]
        assert entry["status"]["status_str"] == "error" and entry["status"]["completed"] is False
        assert entry["outputs"] == {}

        retry = submit(http, txt2img_graph(), client_id)
        assert events(run_until_done(ws, retry)[0])[-2] == "execution_success"


def test_stop_closes_the_port() -> None:
    with FakeComfyUIServer() as server:
        base_url = server.base_url
        assert httpx.get(f"{base_url}/system_stats").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/system_stats", timeout=1)
