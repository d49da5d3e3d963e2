"""The shared HTTP fault vocabulary: one FailureKind and one short line per failure, any server."""

from __future__ import annotations

import httpx
import pytest

from stablenew.adapters.backends.http import ServerFaults
from stablenew.domain.run.failures import FailureKind

REQUEST = httpx.Request("POST", "http://127.0.0.1:9/x")
FAULTS = ServerFaults("A1111", "http://127.0.0.1:9", " with --api", "set credentials")


def _status(status: int, **body: object) -> str | FailureKind:
    error = FAULTS.status(httpx.Response(status, request=REQUEST, **body), "POST /x")  # type: ignore[arg-type]
    return error.kind


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"json": {"detail": "Not authenticated"}}, FailureKind.UNAUTHORIZED),
        (404, {"json": {"detail": "Not Found"}}, FailureKind.NOT_API),
        (422, {"json": {"detail": [{"loc": ["body", "steps"], "msg": "bad"}]}}, FailureKind.BAD_REQUEST),
        (400, {"json": {"error": {"message": "Prompt outputs failed validation"}}}, FailureKind.BAD_REQUEST),
        (500, {"json": {"error": "OutOfMemoryError", "errors": "CUDA out of memory"}},
         FailureKind.OUT_OF_MEMORY),
        (500, {"text": "Internal Server Error"}, FailureKind.SERVER_ERROR),
        (503, {"text": "busy"}, FailureKind.SERVER_ERROR),
        (200, {"text": "<html><body>a router login page</body></html>"}, FailureKind.NOT_API),
    ],
)
def test_status_answers_get_one_kind(status: int, body: dict[str, object], kind: FailureKind) -> None:
    if status == 200:
        with pytest.raises(Exception) as caught:
            FAULTS.json(httpx.Response(status, request=REQUEST, **body), "GET /x")  # type: ignore[arg-type]
        assert getattr(caught.value, "kind", None) is kind
    else:
        assert _status(status, **body) is kind


def test_messages_name_the_url_and_never_quote_a_web_page() -> None:
    page = "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head>" + "x" * 5000
    error = FAULTS.status(httpx.Response(404, text=page, request=REQUEST,
                                         headers={"content-type": "text/html"}), "GET /sdapi/v1/sd-models")
    text = str(error)
    assert "http://127.0.0.1:9" in text and "not the A1111 API" in text and "--api" in text
    assert "<" not in text and "nginx" not in text and "\n" not in text and len(text) < 200


def test_fastapi_422_detail_is_one_readable_line() -> None:
    body = {"detail": [{"loc": ["body", "steps"], "msg": "Input should be a valid integer", "type": "int"}]}
    text = str(FAULTS.status(httpx.Response(422, json=body, request=REQUEST), "POST /x"))
    assert "HTTP 422: body.steps: Input should be a valid integer" in text


def test_secrets_are_redacted_from_every_message() -> None:
    faults = ServerFaults("A1111", "http://h", redact=lambda text: text.replace("hunter2", "***"))
    error = faults.transport(httpx.ConnectError("refused hunter2"), "GET /x", waited_s=1.0)
    assert "hunter2" not in str(error) and error.kind is FailureKind.CONNECTION_REFUSED


def test_timeouts_say_the_limit_that_applied() -> None:
    own = FAULTS.transport(httpx.ReadTimeout("t"), "GET /x", waited_s=2.5)
    stage = FAULTS.transport(httpx.ReadTimeout("t"), "GET /x", waited_s=600.0, stage_limit_s=30.0)
    assert "within 2.5 s" in str(own) and "stage timeout of 30 s" in str(stage)
    assert own.kind is stage.kind is FailureKind.TIMEOUT
