"""Each fault of a ComfyUI server → a named error, the retry count of the policy, and a record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.backends.comfyui_helpers import comfy_container, config, free_port
from tests.fakes import MemoryRecordSink
from tests.servers import comfyui_fixtures
from tests.servers.comfyui_server import ComfyFault, FakeComfyUIServer

comfyui_server = comfyui_fixtures.comfyui_server  # the fixture, by name


def _run(tmp_path: Path, base_url: str, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    sink = MemoryRecordSink()
    result = comfy_container(tmp_path, base_url, **kwargs).pipeline_runner().run(config(), record_sink=sink)
    (record,) = sink.records
    assert record.success is result.success
    return record.to_dict(), record.stage_events[0]


def _posts(server: FakeComfyUIServer) -> int:
    return sum(1 for method, path in server.requests if method == "POST" and path.startswith("/prompt"))


@pytest.mark.parametrize(
    ("fault", "kind", "posts", "retries"),
    [
        (ComfyFault("status", status=500), "server_error", 1, 0),
        (ComfyFault("status", status=503, times=3), "server_error", 3, 2),
        (ComfyFault("malformed_json"), "bad_response", 1, 0),
        (ComfyFault("node_errors", message="sampler_name: 'foo' not in ['euler']"), "bad_request", 1, 0),
        (ComfyFault("execution_error"), "out_of_memory", 1, 0),
        # a read timeout on POST /prompt is not retried: ComfyUI may have queued the prompt already
        (ComfyFault("timeout", delay_s=2.0, times=3), "timeout", 1, 0),
    ],
)
def test_prompt_faults_fail_the_stage_with_a_named_error_and_the_policys_retries(
    tmp_path: Path,
    comfyui_server: FakeComfyUIServer,
    fault: ComfyFault,
    kind: str,
    posts: int,
    retries: int,
) -> None:
    comfyui_server.add_fault("/prompt", fault)
    record, event = _run(tmp_path, comfyui_server.base_url)
    assert record["success"] is False
    assert event["outcome"] == "failed" and event["error_kind"] == kind
    assert _posts(comfyui_server) == posts
    assert event["params"].get("retries", 0) == retries


def test_node_errors_name_the_node_its_class_and_the_details(
    tmp_path: Path,
    comfyui_server: FakeComfyUIServer,
) -> None:
    comfyui_server.add_fault(
        "/prompt", ComfyFault("node_errors", message="sampler_name: 'foo' not in ['euler']")
    )
    _, event = _run(tmp_path, comfyui_server.base_url)
    assert "KSampler (node 3)" in event["error"] and "sampler_name: 'foo'" in event["error"]


def test_execution_error_names_the_node_and_the_exception(
    tmp_path: Path, comfyui_server: FakeComfyUIServer
) -> None:
    comfyui_server.add_fault("/prompt", ComfyFault("execution_error", message="boom in sampler"))
    _, event = _run(tmp_path, comfyui_server.base_url)
    assert "KSampler (node 3)" in event["error"] and "boom in sampler" in event["error"]


def test_503_then_success_retries_and_records_the_retries(
    tmp_path: Path, comfyui_server: FakeComfyUIServer
) -> None:
    comfyui_server.add_fault("/prompt", ComfyFault("status", status=503, times=2))
    record, event = _run(tmp_path, comfyui_server.base_url)
    assert record["success"] is True and event["params"]["retries"] == 2
    assert _posts(comfyui_server) == 3


def test_connection_refused_is_named_and_retried(tmp_path: Path) -> None:
    record, event = _run(tmp_path, f"http://127.0.0.1:{free_port()}", retries=1)
    assert record["success"] is False and event["error_kind"] == "connection_refused"
    assert event["params"]["retries"] == 1 and "is ComfyUI running" in event["error"]


def test_websocket_dropped_mid_run_falls_back_to_history_polling(
    tmp_path: Path,
    comfyui_server: FakeComfyUIServer,
) -> None:
    comfyui_server.add_fault("/prompt", ComfyFault("ws_drop"))
    record, event = _run(tmp_path, comfyui_server.base_url)
    assert record["success"] is True and len(event["images"]) == 1
    assert event["params"]["comfyui_progress"].startswith("history polling")
    assert comfyui_server.count("/history/") >= 1


def test_websocket_refused_polls_history_from_the_start(
    tmp_path: Path, comfyui_server: FakeComfyUIServer
) -> None:
    comfyui_server.add_fault("/ws", ComfyFault("status", status=503))
    record, event = _run(tmp_path, comfyui_server.base_url)
    assert record["success"] is True and event["params"]["comfyui_progress"].startswith("history polling")


def test_a_broken_websocket_frame_is_ignored(tmp_path: Path, comfyui_server: FakeComfyUIServer) -> None:
    comfyui_server.add_fault("/ws", ComfyFault("malformed_json"))
    record, event = _run(tmp_path, comfyui_server.base_url)
    assert record["success"] is True and event["params"]["comfyui_progress"] == "websocket"


@pytest.mark.parametrize(
    ("path", "fault", "kind"),
    [
        ("/view", ComfyFault("status", status=500), "server_error"),
        ("/history", ComfyFault("malformed_json"), "bad_response"),
        ("/object_info", ComfyFault("status", status=500), "server_error"),
    ],
)
def test_faults_after_the_prompt_fail_the_stage_too(
    tmp_path: Path,
    comfyui_server: FakeComfyUIServer,
    path: str,
    fault: ComfyFault,
    kind: str,
) -> None:
    comfyui_server.add_fault(path, fault)
    record, event = _run(tmp_path, comfyui_server.base_url)
    assert record["success"] is False and event["error_kind"] == kind
