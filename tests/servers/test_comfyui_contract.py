"""Contract: the ComfyUI adapter reads what a real ComfyUI 0.3.64 sent (tests/fixtures/recorded), and
the test server answers in the same shapes. Where the two disagreed, the recording won."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stablenew.adapters.backends.comfyui.backend import node_errors_message
from stablenew.adapters.backends.comfyui.catalog import Catalog
from stablenew.adapters.backends.comfyui.client import ComfyUIClient
from stablenew.adapters.backends.comfyui.job import JobWatcher, Timing
from stablenew.adapters.backends.http import Budget, RetryPolicy
from stablenew.domain.run.failures import BackendError, FailureKind
from tests.backends.comfyui_helpers import make_backend
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_graphs import txt2img_graph
from tests.servers.comfyui_server import FakeComfyUIServer
from tests.servers.recorded import COMFYUI, recorded, replay

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name


class _RecordedSocket:
    """The websocket as recorded: its messages in order, then silence (None: it dropped)."""

    def __init__(self, messages: list[dict[str, Any]] | None) -> None:
        self.dropped = messages is None
        self.connection = None if messages is None else object()
        self._messages = messages or []

    def messages(self, tick_s: float) -> Iterator[dict[str, Any]]:
        for message in self._messages:
            yield {key: value for key, value in message.items() if key != "t_ms"}


def _watch(url: str, ws: dict[str, Any] | None, prompt_id: str) -> dict[str, Any]:
    client = ComfyUIClient(httpx.Client(base_url=url, timeout=5.0), policy=RetryPolicy(retries=0))
    socket = _RecordedSocket(ws["messages"] if ws is not None else None)
    watcher = JobWatcher(client, socket, Timing(10.0, 10.0, 0.01), stage="txt2img")  # type: ignore[arg-type]
    return watcher.wait(prompt_id, None)


def test_object_info_in_both_combo_formats() -> None:
    catalog = Catalog.from_object_info(recorded(COMFYUI, "get-object-info-selected")["response"]["json"])
    assert catalog.checkpoints == ("tiny_sd15.safetensors",)  # legacy [[...], {...}]
    assert catalog.upscale_models == ("RealESRGAN_x4plus.pth",)  # V3 ["COMBO", {"options": [...]}]
    assert "euler" in catalog.samplers and "karras" in catalog.schedulers


def test_the_test_server_uses_the_newer_combo_shape_where_comfyui_does(
    comfyui_server: FakeComfyUIServer,
) -> None:
    real = recorded(COMFYUI, "get-object-info-selected")["response"]["json"]
    ours = httpx.get(f"{comfyui_server.base_url}/object_info", timeout=5).json()
    for node, name in (("UpscaleModelLoader", "model_name"), ("KSampler", "sampler_name"),
                       ("CheckpointLoaderSimple", "ckpt_name")):
        real_spec, our_spec = real[node]["input"]["required"][name], ours[node]["input"]["required"][name]
        assert (real_spec[0] == "COMBO") == (our_spec[0] == "COMBO"), (node, our_spec)


@pytest.mark.parametrize("name", ["post-prompt-400-unknown-sampler", "post-prompt-400-unknown-ckpt"])
def test_a_recorded_400_becomes_one_bad_request_line(name: str) -> None:
    exchange = recorded(COMFYUI, name)
    with replay(exchange) as url:
        client = ComfyUIClient(httpx.Client(base_url=url, timeout=5.0), policy=RetryPolicy(retries=0))
        status, answer = client.post_prompt(exchange["request"]["json"])
    assert status == 400
    (node_id, entry), = exchange["response"]["json"]["node_errors"].items()
    message = node_errors_message(answer)
    assert f"{entry['class_type']} (node {node_id}): " in message
    assert entry["errors"][0]["details"].split(":")[0] in message


def test_the_test_servers_400_has_comfyuis_shape(comfyui_server: FakeComfyUIServer) -> None:
    real = recorded(COMFYUI, "post-prompt-400-unknown-sampler")["response"]["json"]
    graph = txt2img_graph(sampler="Euler a")
    ours = httpx.post(f"{comfyui_server.base_url}/prompt", json={"prompt": graph}, timeout=5)
    assert ours.status_code == 400
    body = ours.json()
    assert body.keys() == real.keys() and body["error"].keys() == real["error"].keys()
    (entry,) = body["node_errors"].values()
    (real_entry,) = real["node_errors"].values()
    assert entry.keys() == real_entry.keys() and entry["errors"][0].keys() == real_entry["errors"][0].keys()


@pytest.mark.parametrize(("case", "kind"), [("oom", FailureKind.OUT_OF_MEMORY),
                                            ("corrupt-image", FailureKind.EXECUTION_ERROR)])
def test_a_recorded_execution_error_over_the_websocket(case: str, kind: FailureKind) -> None:
    ws = recorded(COMFYUI, f"ws-post-prompt-exec-error-{case}")
    with replay() as url, pytest.raises(BackendError) as caught:
        _watch(url, ws, ws["prompt_id"])
    assert caught.value.kind is kind and url in str(caught.value)


@pytest.mark.parametrize(("case", "kind"), [("oom", FailureKind.OUT_OF_MEMORY),
                                            ("corrupt-image", FailureKind.EXECUTION_ERROR)])
def test_a_recorded_error_seen_only_in_history(case: str, kind: FailureKind) -> None:
    history = recorded(COMFYUI, f"get-history-by-id-exec-error-{case}")
    prompt_id = history["request"]["path"].rsplit("/", 1)[-1]
    with replay(history) as url, pytest.raises(BackendError) as caught:
        _watch(url, None, prompt_id)  # no websocket: only /history tells
    assert caught.value.kind is kind
    assert "node 5" in str(caught.value) or "LoadImage" in str(caught.value)


def test_a_recorded_cached_prompt_returns_only_old_images_so_the_stage_has_no_new_ones() -> None:
    ws = recorded(COMFYUI, "ws-post-prompt-txt2img-same-again")
    history = recorded(COMFYUI, "get-history-by-id-cached")
    assert [m["type"] for m in ws["messages"]].count("executing") == 1  # only the final {"node": null}
    with replay(history) as url:
        entry = _watch(url, ws, ws["prompt_id"])
        backend = make_backend(url)
        template = backend.templates.for_stage("txt2img")
        with pytest.raises(BackendError) as caught:
            backend._collect(template, entry, "stablenew/run-txt2img-abc", Budget())
    assert caught.value.kind is FailureKind.NO_IMAGES and "1 old image" in str(caught.value)


def test_the_test_server_ends_a_prompt_like_comfyui(comfyui_server: FakeComfyUIServer) -> None:
    real = [m["type"] for m in recorded(COMFYUI, "ws-post-prompt-txt2img")["messages"]]
    ours = comfyui_server_message_types(comfyui_server)
    tail = [t for t in real if t != "progress_state"][-3:]
    assert tail == ["execution_success", "status", "executing"]
    assert [t for t in ours if t != "progress_state"][-3:] == tail


def comfyui_server_message_types(server: FakeComfyUIServer) -> list[str]:
    """The websocket message types the test server sends for one txt2img prompt."""
    import json

    from websockets.sync.client import connect

    types: list[str] = []
    with connect(f"{server.ws_url}?clientId=contract") as ws:
        answer = httpx.post(f"{server.base_url}/prompt", timeout=5,
                            json={"prompt": txt2img_graph(steps=2), "client_id": "contract"})
        assert answer.status_code == 200
        while True:
            frame = ws.recv(timeout=10)
            if isinstance(frame, bytes):
                continue  # a binary preview
            message = json.loads(frame)
            types.append(message["type"])
            if message["type"] == "executing" and message["data"].get("node") is None:
                return types


def test_the_test_servers_history_of_a_failed_prompt_has_comfyuis_shape(
    comfyui_server: FakeComfyUIServer,
) -> None:
    from tests.servers.comfyui_server import ComfyFault

    real = next(iter(recorded(COMFYUI, "get-history-by-id-exec-error-oom")["response"]["json"].values()))
    comfyui_server.add_fault("/prompt", ComfyFault("execution_error"))
    answer = httpx.post(f"{comfyui_server.base_url}/prompt", json={"prompt": txt2img_graph()}, timeout=5)
    ours = comfyui_server.wait_for_history(answer.json()["prompt_id"])
    status = ours["status"]
    assert (status["status_str"], status["completed"], ours["outputs"]) == ("error", False, {})
    real_error = dict(m for m in real["status"]["messages"])["execution_error"]
    our_error = dict((e, d) for e, d in ours["status"]["messages"])["execution_error"]
    assert our_error.keys() >= real_error.keys() - {"timestamp"}
