"""Each server fault → the stage fails with a named kind, retried exactly as the policy says, recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.backends.a1111_helpers import (
    EXTRAS,
    IMG2IMG,
    TXT2IMG,
    a1111_container,
    closed_port_url,
    pipeline,
    read_records,
)
from tests.servers import a1111_fixtures
from tests.servers.a1111_server import FakeA1111Server, Fault

a1111_server = a1111_fixtures.a1111_server  # the fixtures, by name
a1111_server_factory = a1111_fixtures.a1111_server_factory


RETRIES = 2  # the helpers' FAST policy: 2 retries, so at most 3 requests


def _record(tmp_path: Path) -> dict:
    (record,) = read_records(tmp_path / "output" / "learning" / "learning_records.jsonl")
    return record


@pytest.mark.parametrize(
    ("fault", "kind", "requests"),
    [
        (Fault("status", status=500), "server_error", 1),
        (Fault("oom"), "out_of_memory", 1),
        (Fault("status", status=503, times=3), "server_error", 3),
        (Fault("status", status=502, times=3), "server_error", 3),
        (Fault("status", status=504, times=3), "server_error", 3),
        (Fault("timeout", delay_s=1.0, times=3), "timeout", 1),  # the stage deadline is spent
        (Fault("close", times=3), "connection_error", 3),
        (Fault("malformed_json"), "bad_response", 1),
        (Fault("bad_base64"), "bad_image", 1),
        (Fault("status", status=422), "bad_request", 1),
    ],
    ids=["500", "out_of_memory", "503x3", "502x3", "504x3", "read-timeout-x3", "closed-x3", "malformed-json",
         "bad-base64", "422"],
)
def test_fault_fails_the_stage_with_its_kind_and_the_policy_retry_count(
    a1111_server: FakeA1111Server, tmp_path: Path, fault: Fault, kind: str, requests: int,
) -> None:
    a1111_server.add_fault(TXT2IMG, fault)
    container = a1111_container(a1111_server, tmp_path, stage_timeout_s=0.3)
    result = container.pipeline_controller().run(pipeline(txt2img={"steps": 2}, img2img={}))
    assert not result.success and [e.outcome for e in result.events] == ["failed"]
    assert a1111_server.count(TXT2IMG) == requests
    assert a1111_server.count(IMG2IMG) == 0
    event = _record(tmp_path)["stage_events"][0]
    assert event["error_kind"] == kind and event["outcome"] == "failed"
    assert event["params"].get("retries", 0) == requests - 1
    assert event["error"].startswith(f"A1111 at {a1111_server.base_url}: POST /sdapi/v1/txt2img")


def test_oom_says_what_to_do(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    a1111_server.add_fault(TXT2IMG, Fault("oom"))
    result = a1111_container(a1111_server, tmp_path).pipeline_controller().run(pipeline())
    assert "out of memory" in (result.error or "") and "smaller size" in (result.error or "")


@pytest.mark.parametrize("fault", [Fault("status", status=503), Fault("status", status=502), Fault("close")],
                         ids=["503", "502", "closed"])
def test_transient_fault_then_success_is_retried_and_recorded(
    a1111_server: FakeA1111Server, tmp_path: Path, fault: Fault,
) -> None:
    a1111_server.add_fault(IMG2IMG, fault)
    container = a1111_container(a1111_server, tmp_path, stage_timeout_s=1.0)
    small = {"steps": 2, "width": 64, "height": 64}
    result = container.pipeline_controller().run(pipeline(txt2img=small, img2img={}))
    assert result.success, result.error
    assert (a1111_server.count(TXT2IMG), a1111_server.count(IMG2IMG)) == (1, 2)
    events = _record(tmp_path)["stage_events"]
    assert "retries" not in events[0]["params"] and events[1]["params"]["retries"] == 1


def test_connection_refused_is_retried_then_named(tmp_path: Path) -> None:
    container = a1111_container(closed_port_url(), tmp_path)
    backend = container.backend()
    from stablenew.domain.run.failures import BackendError
    from stablenew.domain.run.generation import StageRequest

    with pytest.raises(BackendError) as caught:
        backend.client.request("POST", TXT2IMG, {}, timeout_s=1.0)
    assert (caught.value.kind, caught.value.retries) == ("connection_refused", RETRIES)
    assert "connection refused" in str(caught.value)
    result = container.pipeline_controller().run(pipeline())
    assert result.events[0].error_kind == "connection_refused"
    with pytest.raises(BackendError, match="connection refused"):
        backend.generate(StageRequest(stage="txt2img", params={}, prompt="x"))


def test_unauthorized_without_credentials_fails_once_and_hints(
    a1111_server_factory, tmp_path: Path,
) -> None:
    server = a1111_server_factory(username="alice", password="wonderland-77")
    container = a1111_container(server, tmp_path)
    result = container.pipeline_controller().run(pipeline())
    assert result.events[0].error_kind == "unauthorized"
    assert "STABLENEW_A1111__PASSWORD" in (result.error or "")
    assert server.count("/sdapi/v1/sd-models") == 1 and server.count(TXT2IMG) == 0


def test_credentials_are_sent_as_basic_auth(a1111_server_factory, tmp_path: Path) -> None:
    server = a1111_server_factory(username="alice", password="wonderland-77")
    container = a1111_container(server, tmp_path, username="alice", password="wonderland-77")
    assert container.pipeline_controller().run(pipeline()).success
    assert server.requests[-1].headers["authorization"].startswith("Basic ")
    wrong = a1111_container(server, tmp_path / "w", username="alice", password="not-it")
    result = wrong.pipeline_controller().run(pipeline())
    assert result.events[0].error_kind == "unauthorized"
    assert "were rejected" in (result.error or "") and "not-it" not in (result.error or "")


def test_upscale_fault_is_recorded_on_the_upscale_stage(
    a1111_server: FakeA1111Server, tmp_path: Path,
) -> None:
    a1111_server.add_fault(EXTRAS, Fault("status", status=500))
    container = a1111_container(a1111_server, tmp_path)
    config = pipeline(txt2img={"steps": 2}, upscale={"upscaler": "Lanczos"})
    result = container.pipeline_controller().run(config)
    assert [e.outcome for e in result.events] == ["success", "failed"]
    assert result.events[1].error_kind == "server_error" and a1111_server.count(EXTRAS) == 1
    assert _record(tmp_path)["success"] is False


def test_per_stage_timeout_applies_to_its_stage_only(a1111_server: FakeA1111Server, tmp_path: Path) -> None:
    a1111_server.add_fault(EXTRAS, Fault("timeout", delay_s=1.0, times=5))
    a1111_server.add_fault(TXT2IMG, Fault("timeout", delay_s=0.4))
    container = a1111_container(a1111_server, tmp_path, retries=0, stage_timeout_s=3.0,
                                stage_timeouts_s={"upscale": 0.2})
    result = container.pipeline_controller().run(pipeline(txt2img={"steps": 2},
                                                          upscale={"upscaler": "Lanczos"}))
    assert [e.outcome for e in result.events] == ["success", "failed"]
    # the message says the limit that applied: the stage's 0.2 s, however little of it was left
    assert result.events[1].error_kind == "timeout"
    assert "the stage timeout of 0.2 s was reached" in (result.error or ""), result.error
